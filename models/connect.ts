import mongoose, { type Connection, type mongo } from 'mongoose';

/** One connection per process; fails within serverSelectionTimeoutMS when MongoDB is unreachable, unless told to wait for it. */
// Mongoose records a stack trace for every query to explain re-executed queries; we never
// re-execute one, and the trace costs ~3 % of the API's CPU on the click path.
mongoose.set('skipOriginalStackTraces', true);

export const connectOptions = (dbName?: string) => ({
  dbName,
  serverSelectionTimeoutMS: 5_000,
  // The driver's monitor checks the server this often when no operation is waiting (default 10 s):
  // an idle process (a worker between tasks, /readyz) sees the server back within 2 s.
  heartbeatFrequencyMS: 2_000,
  // Every write here matters (a click answered 302, a ledger line, a cap place): on real MongoDB
  // it is acknowledged only once a majority of the replica set has it in its journal, so neither
  // a crash nor a failover loses it. (MongoDB 5+ defaults to majority on replica sets; a
  // standalone mongod would otherwise acknowledge before its journal is flushed.) The embedded
  // stand-in commits every write to its file before answering, whatever is asked.
  writeConcern: { w: 'majority' as const, journal: true },
  // Index builds are explicit (ensureIndexes) so they finish before traffic, not lazily.
  autoIndex: false,
  // Collections come into being with their indexes; an explicit create races between processes.
  autoCreate: false,
});

export interface ConnectOptions {
  dbName?: string;
  /** Called with every client the connection gets (the first, and each one reopenMongo makes). */
  onClient?: (client: mongo.MongoClient) => void;
  /**
   * Keep trying until MongoDB answers instead of failing after one server-selection timeout:
   * services start in any order, and a process started before its database must come up when
   * the database does. Called after each failed try (every serverSelectionTimeoutMS).
   */
  waitForServer?: (err: Error, attempt: number) => void;
}

export async function connectMongo(url: string, opts: ConnectOptions = {}): Promise<Connection> {
  const connection = mongoose.createConnection();
  for (let attempt = 1; ; attempt++) {
    try {
      await connection.openUri(url, connectOptions(opts.dbName));
      break;
    } catch (err) {
      if (!opts.waitForServer || !isUnreachable(err)) throw err;
      opts.waitForServer(err as Error, attempt);
    }
  }
  opts.onClient?.(connection.getClient());
  return connection;
}

/** Server selection failed: nothing answered (as opposed to a bad URL or bad credentials). */
function isUnreachable(err: unknown): boolean {
  return err instanceof Error && err.name === 'MongooseServerSelectionError';
}

/**
 * Replaces the connection's client with a fresh one, keeping the Connection object (the
 * models stay bound to it). Operations in flight fail and are retried by their callers.
 */
export async function reopenMongo(connection: Connection, url: string, opts: ConnectOptions = {}): Promise<void> {
  await connection.close();
  await connection.openUri(url, connectOptions(opts.dbName));
  opts.onClient?.(connection.getClient());
}

/** Readiness probe: a round trip to the server. */
export async function pingMongo(connection: Connection): Promise<void> {
  if (connection.readyState !== 1 || !connection.db) throw new Error('not connected');
  await connection.db.admin().command({ ping: 1 });
}
