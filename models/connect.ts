import mongoose, { type Connection } from 'mongoose';

/** One connection per process; fails within serverSelectionTimeoutMS when MongoDB is unreachable. */
// Mongoose records a stack trace for every query to explain re-executed queries; we never
// re-execute one, and the trace costs ~3 % of the API's CPU on the click path.
mongoose.set('skipOriginalStackTraces', true);

const connectOptions = (dbName?: string) => ({
  dbName,
  serverSelectionTimeoutMS: 5_000,
  // Index builds are explicit (ensureIndexes) so they finish before traffic, not lazily.
  autoIndex: false,
  // Collections come into being with their indexes; an explicit create races between processes.
  autoCreate: false,
});

export async function connectMongo(url: string, opts: { dbName?: string } = {}): Promise<Connection> {
  const connection = mongoose.createConnection(url, connectOptions(opts.dbName));
  await connection.asPromise();
  return connection;
}

/**
 * Replaces the connection's client with a fresh one, keeping the Connection object (the
 * models stay bound to it). Operations in flight fail and are retried by their callers.
 */
export async function reopenMongo(connection: Connection, url: string, opts: { dbName?: string } = {}): Promise<void> {
  await connection.close();
  await connection.openUri(url, connectOptions(opts.dbName));
}

/** Readiness probe: a round trip to the server. */
export async function pingMongo(connection: Connection): Promise<void> {
  if (connection.readyState !== 1 || !connection.db) throw new Error('not connected');
  await connection.db.admin().command({ ping: 1 });
}
