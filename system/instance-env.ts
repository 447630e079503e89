/** A MongoDB connection string with its database name replaced (keeps credentials, hosts and options). */
export function withDatabase(url: string, db: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(url);
  if (!match) throw new Error(`not a mongodb:// URL: ${url}`);
  return `${match[1]}/${db}${match[2] ?? ''}`;
}

export interface InstanceOptions {
  /** The instance's database name. */
  database: string;
  taskQueue: string;
  adminKey: string;
  /** The servers it shares with other instances. */
  mongoUrl: string;
  temporalAddress: string;
  /** Where its API listens (on 127.0.0.1), for instances that run api/server.ts. */
  port?: number;
  /** Anything else, as variables (NODE_ENV, DELIVERY_SCHEDULE, …); undefined unsets one. */
  settings?: Record<string, string | undefined>;
}

/**
 * The environment of one isolated postflow on shared servers (tests, benchmarks, the fault
 * suite): its own database, task queue and admin key. Processes get it as their environment and
 * in-process stacks pass it to loadConfig, so both are configured by the same variables and
 * take every other value from config/index.ts.
 */
export function instanceEnv(opts: InstanceOptions): Record<string, string> {
  const env: Record<string, string | undefined> = {
    HOST: '127.0.0.1',
    ...(opts.port !== undefined ? { PORT: String(opts.port) } : {}),
    MONGO_URL: withDatabase(opts.mongoUrl, opts.database),
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TASK_QUEUE: opts.taskQueue,
    ADMIN_API_KEY: opts.adminKey,
    ...opts.settings,
  };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
