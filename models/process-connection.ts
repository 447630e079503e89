import mongoose, { type Connection } from 'mongoose';
import { connectMongo, pingMongo, reopenMongo, type ConnectOptions } from './connect';
import { observeDriverEvents, type DriverEventLog, type ReachabilityState } from './driver-events';
import { startWatchdog } from './watchdog';

export interface ProcessMongoOptions {
  url: string;
  log: DriverEventLog;
  /** LOG_MONGO_DRIVER_EVENTS: every driver monitoring and pool event as a log line. */
  verboseDriverEvents: boolean;
}

/** How often the watchdog looks while pings fail, and how long a client may fail while the server answers others. */
const WATCHDOG_INTERVAL_MS = 1_000;
const WATCHDOG_STUCK_AFTER_MS = 5_000;
const PROBE_TIMEOUT_MS = 1_000;

/**
 * The MongoDB connection of a long-running process (API, worker), made the same way in both:
 * it waits for MongoDB if it is not up yet, logs when the server becomes unreachable and
 * reachable again, and keeps a watchdog that replaces a client that stays stuck while the
 * server answers fresh clients.
 */
export async function connectProcessMongo(opts: ProcessMongoOptions): Promise<{ connection: Connection; close(): Promise<void> }> {
  const reachability: ReachabilityState = {};
  const connectOptions: ConnectOptions = {
    onClient: (client) => observeDriverEvents(client, { log: opts.log, verbose: opts.verboseDriverEvents, state: reachability }),
    waitForServer: (err, attempt) =>
      opts.log.warn(
        { attempt, err: { message: err.message } },
        `waiting for MongoDB (try ${attempt} failed: ${err.message}); trying again`,
      ),
  };
  const connection = await connectMongo(opts.url, connectOptions);
  const watchdog = startWatchdog({
    ping: () => pingMongo(connection),
    probe: () => probeServer(opts.url),
    reconnect: () => reopenMongo(connection, opts.url, { onClient: connectOptions.onClient }),
    intervalMs: WATCHDOG_INTERVAL_MS,
    stuckAfterMs: WATCHDOG_STUCK_AFTER_MS,
    onReconnect: (stuckForMs, err) =>
      opts.log.warn(
        { stuck_for_ms: stuckForMs, ...(err ? { err } : {}) },
        err
          ? 'MongoDB answers fresh clients but not this process; replacing its client failed and is tried again'
          : `MongoDB answered fresh clients for ${stuckForMs} ms while this process's client kept failing; replaced the client`,
      ),
  });
  return {
    connection,
    async close() {
      watchdog.stop();
      await connection.close();
    },
  };
}

/** A ping through a new client that lives for this one call: is the server up for anyone? */
async function probeServer(url: string): Promise<void> {
  const client = new mongoose.mongo.MongoClient(url, {
    serverSelectionTimeoutMS: PROBE_TIMEOUT_MS,
    connectTimeoutMS: PROBE_TIMEOUT_MS,
  });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close().catch(() => undefined);
  }
}
