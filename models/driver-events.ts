import type { mongo } from 'mongoose';

/** The few logger methods this needs (pino's signature), so models/ does not depend on observability/. */
export interface DriverEventLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
}

export interface DriverEventOptions {
  /** Reachability changes: always written (rare, and what ops need during an outage). */
  log: DriverEventLog;
  /**
   * Every monitoring and pool event as well (heartbeats, pool cleared, connections opened and
   * closed): for finding which monitor or socket is stuck when a client does not recover.
   */
  verbose: boolean;
  /**
   * Shared by every client of one process connection, so that when the watchdog replaces a stuck
   * client, the new client's first contact is logged as the recovery it is.
   */
  state?: ReachabilityState;
  now?: () => number;
}

export interface ReachabilityState {
  unreachableSince?: number;
}

const POOL_EVENTS = [
  'connectionPoolCleared',
  'connectionPoolReady',
  'connectionCreated',
  'connectionClosed',
  'connectionCheckOutFailed',
] as const;
const HEARTBEAT_EVENTS = ['serverHeartbeatStarted', 'serverHeartbeatSucceeded', 'serverHeartbeatFailed'] as const;

/**
 * Call with a client that has just connected. Logs its view of the server: "MongoDB unreachable" when the server it talks to turns
 * Unknown, "MongoDB reachable again after N ms" when it is back. A process whose client never
 * writes the second line after the database is back is the stuck client of issue 10.
 */
export function observeDriverEvents(client: mongo.MongoClient, opts: DriverEventOptions): void {
  const now = opts.now ?? Date.now;
  const state = opts.state ?? {};
  /** Ends an outage, if there was one: the line ops wait for. */
  const reachableAgain = (fields: Record<string, unknown>) => {
    if (state.unreachableSince === undefined) return;
    const downForMs = now() - state.unreachableSince;
    state.unreachableSince = undefined;
    opts.log.info({ ...fields, down_for_ms: downForMs }, `MongoDB reachable again after ${downForMs} ms`);
  };
  client.on('serverDescriptionChanged', (event) => {
    const before = event.previousDescription.type;
    const after = event.newDescription.type;
    if (before === after) return;
    const error = event.newDescription.error?.message;
    if (after === 'Unknown') {
      // A fresh client starts Unknown without an error: that is not an outage.
      if (!error) return;
      state.unreachableSince ??= now();
      opts.log.warn({ mongo_address: event.address, mongo_error: error }, `MongoDB unreachable: ${error}`);
    } else if (before === 'Unknown') {
      reachableAgain({ mongo_address: event.address, mongo_server_type: after });
    }
  });
  // Clients are observed once connected: if the process was without MongoDB until now (a client
  // replaced after an outage), this client's connection is the recovery.
  reachableAgain({ new_client: true });
  if (!opts.verbose) return;
  for (const name of HEARTBEAT_EVENTS) {
    client.on(name, (event: { connectionId: string; duration?: number; awaited?: boolean; failure?: Error }) => {
      opts.log.info(
        {
          mongo_event: name,
          mongo_address: event.connectionId,
          duration_ms: event.duration,
          awaited: event.awaited,
          mongo_error: event.failure?.message,
        },
        `mongodb driver: ${name}`,
      );
    });
  }
  for (const name of POOL_EVENTS) {
    client.on(name, (event: { address: string; connectionId?: number | string; reason?: string; error?: { message?: string } }) => {
      opts.log.info(
        {
          mongo_event: name,
          mongo_address: event.address,
          connection_id: event.connectionId,
          reason: event.reason,
          mongo_error: event.error?.message,
        },
        `mongodb driver: ${name}`,
      );
    });
  }
  client.on('topologyDescriptionChanged', (event) => {
    const servers = [...event.newDescription.servers.values()].map(
      (s) => `${s.address}=${s.type}${s.error ? ` (${s.error.message})` : ''}`,
    );
    opts.log.info(
      { mongo_event: 'topologyDescriptionChanged', topology: event.newDescription.type, servers },
      'mongodb driver: topologyDescriptionChanged',
    );
  });
}
