import type { Connection } from 'mongoose';
import { connectMongo, pingMongo, reopenMongo, type ConnectOptions } from './connect';
import { observeDriverEvents, type DriverEventLog, type ReachabilityState } from './driver-events';
import { startWatchdog } from './watchdog';

export interface ProcessMongoOptions {
  url: string;
  log: DriverEventLog;
  /** LOG_MONGO_DRIVER_EVENTS: every driver monitoring and pool event as a log line. */
  verboseDriverEvents: boolean;
}

/** How often the watchdog pings, and how long pings must have failed before it replaces the client. */
const WATCHDOG_INTERVAL_MS = 2_000;
const WATCHDOG_REPLACE_AFTER_MS = 10_000;

/**
 * The MongoDB connection of a long-running process (API, worker), made the same way in both:
 * it waits for MongoDB if it is not up yet, logs when the server becomes unreachable and
 * reachable again, and keeps a watchdog that replaces a client whose pings keep failing.
 */
export async function connectProcessMongo(opts: ProcessMongoOptions): Promise<{ connection: Connection; close(): Promise<void> }> {
  const reachability: ReachabilityState = {};
  const connectOptions: ConnectOptions = {
    onClient: (client) => observeDriverEvents(client, { log: opts.log, verbose: opts.verboseDriverEvents, state: reachability }),
    waitForServer: (err, attempt) =>
      opts.log.warn({ attempt, err: { message: err.message } }, `waiting for MongoDB (try ${attempt} failed: ${err.message}); trying again`),
  };
  const connection = await connectMongo(opts.url, connectOptions);
  const watchdog = startWatchdog({
    ping: () => pingMongo(connection),
    reconnect: () => reopenMongo(connection, opts.url, { onClient: connectOptions.onClient }),
    intervalMs: WATCHDOG_INTERVAL_MS,
    reconnectAfterMs: WATCHDOG_REPLACE_AFTER_MS,
    onReconnect: (downForMs, err) =>
      opts.log.warn({ down_for_ms: downForMs, ...(err ? { err } : {}) }, err ? 'MongoDB still unreachable; a fresh client will be tried again' : 'MongoDB pings had failed; replaced the client'),
  });
  return {
    connection,
    async close() {
      watchdog.stop();
      await connection.close();
    },
  };
}
