import { z } from 'zod';
import { parseNetworkList } from '../domain/ip';
import { defaultDeliverySchedule, parseSchedule } from '../domain/retry-schedule';
import { parseSocketAddress } from '../observability/socket-address';
import { parseRetentionDays, parseRetentionSchedule, retentionDefaults as retention } from '../retention/policy';

/**
 * Process configuration, parsed once from environment variables into typed sections
 * (`config.api`, `config.delivery`, …). Every default lives here and nowhere else: tests and
 * benchmarks build their configuration with loadConfig too. A bad value stops the process with
 * a message naming the variable (see ConfigError).
 */

/**
 * A zod transform that parses a string with `parse`, so the value is parsed once and its
 * complaint is reported under the variable's name.
 */
const parsedBy =
  <T>(parse: (spec: string) => T, expected: string) =>
  (spec: string, ctx: z.RefinementCtx): T => {
    try {
      return parse(spec);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `${expected} (${(err as Error).message})` });
      return z.NEVER;
    }
  };

const port = z.coerce.number().int().min(0).max(65535);
/** `true`/`false` (also `1`/`0`), as environment variables spell booleans. */
const flag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((v) => v === 'true' || v === '1');
/** A retention in days (fractions allowed), or `0` / `off`: kept forever (null). */
const retentionDays = (fallback: string) =>
  z.string().default(fallback).transform(parsedBy(parseRetentionDays, 'must be a number of days such as 90, or 0 / off to keep forever'));

/** The variables as the environment spells them; each one checked (and parsed) on its own. */
const variables = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: port.default(3000),
    // Required in production; `npm start` generates one for development (see scripts/start.ts).
    ADMIN_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    MONGO_URL: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// connection string')
      .default('mongodb://127.0.0.1:27017/postflow'),
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. localhost:7233')
      .default('localhost:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TASK_QUEUE: z.string().min(1).default('postflow'),
    // The Temporal Web UI, for the link in a conversion's timeline (the dev server serves it on 8233).
    TEMPORAL_UI_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://localhost:8233' })
      .default('http://localhost:8233'),
    // Where the embedded Temporal and MongoDB keep their state for `npm start`.
    DATA_DIR: z.string().min(1).default('.postflow'),
    // How many API and worker processes `npm start` runs (scripts/start.ts): API i listens on PORT+i-1,
    // worker i serves metrics and health on the configured ports plus 2(i-1).
    API_PROCESSES: z.coerce.number().int().min(1).max(16).default(1),
    WORKER_PROCESSES: z.coerce.number().int().min(1).max(16).default(1),
    // How long an approved conversion's workflow stays open for a reversal (chargebacks come late).
    REVERSAL_WINDOW_DAYS: z.coerce.number().positive().max(3650).default(90),
    // Affiliate postback delivery (worker). Delays before attempt 1, 2, …: the default is the
    // Standard Webhooks schedule, about three days in all.
    DELIVERY_SCHEDULE: z
      .string()
      .default(defaultDeliverySchedule)
      .transform(parsedBy(parseSchedule, 'must be comma-separated durations such as 0s,5s,5m,30m,2h')),
    DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    // CIDRs outbound postbacks may reach although private/loopback (SSRF guard); empty in production.
    DELIVERY_ALLOWED_NETWORKS: z
      .string()
      .default('')
      .transform(parsedBy(parseNetworkList, 'must be comma-separated IP addresses or CIDRs such as 127.0.0.0/8,::1/128')),
    // Circuit breaker: after this many failures in a row an endpoint is paused (not switched off).
    DELIVERY_PAUSE_AFTER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
    DELIVERY_PAUSE_MS: z.coerce
      .number()
      .int()
      .min(10)
      .max(24 * 3600 * 1000)
      .default(60_000),
    // Ingress rate limits, requests per second per API process (api/rate-limit.ts); 0 = off.
    // Generous on purpose: a 429 to an advertiser that does not retry is a lost conversion.
    RATE_LIMIT_PER_IP: z.coerce.number().int().min(0).max(1_000_000).default(500),
    RATE_LIMIT_PER_ADVERTISER: z.coerce.number().int().min(0).max(1_000_000).default(1000),
    // Reverse proxies (load balancers) in front of the API whose X-Forwarded-For is believed; 0 = none:
    // the client's own header would otherwise choose the IP for rate limits, allowlists and fraud rules.
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    // The advertisers' ingress log (api/ingress-log/): how long its rows are kept, and at most how
    // many each advertiser keeps (the oldest go first; calls no advertiser could be named for share one such budget).
    INGRESS_LOG_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(30),
    INGRESS_LOG_MAX_ROWS_PER_ADVERTISER: z.coerce.number().int().min(1).max(100_000_000).default(100_000),
    // How long event records stay in the feed (events/record.ts deletes older ones).
    EVENTS_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(90),
    // The data lifecycle (retention/policy.ts): days each kind of row is kept, 0/off = forever; run by a Temporal Schedule.
    RETENTION_CLICKS_DAYS: retentionDays(retention.RETENTION_CLICKS_DAYS),
    RETENTION_DELIVERIES_DAYS: retentionDays(retention.RETENTION_DELIVERIES_DAYS),
    RETENTION_DELIVERY_ATTEMPTS_DAYS: retentionDays(retention.RETENTION_DELIVERY_ATTEMPTS_DAYS),
    RETENTION_AUDIT_DAYS: retentionDays(retention.RETENTION_AUDIT_DAYS),
    RETENTION_TEST_DATA_DAYS: retentionDays(retention.RETENTION_TEST_DATA_DAYS),
    RETENTION_SCHEDULE: z
      .string()
      .default(retention.RETENTION_SCHEDULE)
      .transform(parsedBy(parseRetentionSchedule, 'must be an interval such as 1h, a cron expression such as "15 * * * *", or off')),
    RETENTION_BATCH_SIZE: z.coerce.number().int().min(100).max(5000).default(retention.RETENTION_BATCH_SIZE),
    // Whether every click is also recorded as a click.created event (high volume: off unless chosen).
    EVENTS_CLICK_CREATED: flag.default(false),
    // How long a console sign-in lasts (api/session.ts); signing out ends it sooner.
    SESSION_TTL_HOURS: z.coerce.number().positive().max(720).default(12),
    // Workflows each of the worker's two workers keeps in memory; idle ones are evicted first and
    // replayed when needed. Bounds the worker's RSS (see worker/worker.ts).
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(500),
    // The prebuilt workflow bundle the worker runs (npm run build:workflows writes it); relative to the
    // working directory, which is the project root for the npm scripts and the image.
    WORKER_WORKFLOW_BUNDLE: z.string().min(1).default('dist/workflow-bundle.js'),
    // How much work each of the worker's two Temporal workers runs at once (the SDK's own defaults):
    // lower caps leave CPU to an API on the same machine, and bound memory, at the cost of a backlog.
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(10_000).default(40),
    WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(100),
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(100),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    // Every MongoDB driver monitoring and pool event as a log line (diagnosis of a client that does
    // not recover after an outage); reachability changes are logged whatever this says.
    LOG_MONGO_DRIVER_EVENTS: flag.default(false),
    // npm start's embedded MongoDB (mongo-java-server on an H2 file) writes every acknowledged write
    // to its file (survives the store being killed); with this it also fsyncs (survives power loss).
    EMBEDDED_MONGO_FSYNC: flag.default(false),
    // The worker's Prometheus endpoint (/metrics): the Temporal SDK's series and postflow's worker
    // metrics. One port per worker process; `off` serves none (null). Default: see worker.metricsAddress.
    WORKER_METRICS_ADDRESS: z
      .string()
      .transform(parsedBy((spec) => parseSocketAddress(spec) ?? null, 'must be ip:port such as 0.0.0.0:9464, or off'))
      .optional(),
    // The worker's health endpoints (/healthz, /readyz) for npm start, compose and orchestrators.
    // One port per worker process; `off` serves none. Default: see worker.healthAddress.
    WORKER_HEALTH_ADDRESS: z
      .string()
      .transform(parsedBy((spec) => parseSocketAddress(spec) ?? null, 'must be ip:port such as 0.0.0.0:9465, or off'))
      .optional(),
  })
  .superRefine((vars, ctx) => {
    if (vars.NODE_ENV === 'production' && !vars.ADMIN_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_API_KEY'], message: 'is required when NODE_ENV=production' });
    }
  });

/** The sections each part of the system reads; a part is handed only the sections it needs. */
export const configSchema = variables.transform((v) => ({
  nodeEnv: v.NODE_ENV,
  api: {
    host: v.HOST,
    port: v.PORT,
    adminApiKey: v.ADMIN_API_KEY,
    trustProxyHops: v.TRUST_PROXY_HOPS,
    sessionTtlMs: v.SESSION_TTL_HOURS * 3600 * 1000,
    rateLimits: { perIp: v.RATE_LIMIT_PER_IP, perAdvertiser: v.RATE_LIMIT_PER_ADVERTISER },
    ingressLog: {
      retentionMs: v.INGRESS_LOG_RETENTION_DAYS * 24 * 3600 * 1000,
      maxRowsPerAdvertiser: v.INGRESS_LOG_MAX_ROWS_PER_ADVERTISER,
    },
  },
  temporal: {
    address: v.TEMPORAL_ADDRESS,
    namespace: v.TEMPORAL_NAMESPACE,
    /** Conversions run here; deliveries on deliveryTaskQueue(taskQueue). */
    taskQueue: v.TASK_QUEUE,
    uiUrl: v.TEMPORAL_UI_URL,
  },
  mongo: { url: v.MONGO_URL },
  lifecycle: { reversalWindowHours: v.REVERSAL_WINDOW_DAYS * 24 },
  events: { retentionMs: v.EVENTS_RETENTION_DAYS * 24 * 3600 * 1000, clickCreated: v.EVENTS_CLICK_CREATED },
  /** The data lifecycle (retention/): what the worker's Temporal Schedule sweeps, and when. */
  retention: {
    days: {
      clicks: v.RETENTION_CLICKS_DAYS,
      deliveries: v.RETENTION_DELIVERIES_DAYS,
      deliveryAttempts: v.RETENTION_DELIVERY_ATTEMPTS_DAYS,
      ingressLog: v.INGRESS_LOG_RETENTION_DAYS,
      events: v.EVENTS_RETENTION_DAYS,
      audit: v.RETENTION_AUDIT_DAYS,
      testData: v.RETENTION_TEST_DATA_DAYS,
    },
    schedule: v.RETENTION_SCHEDULE,
    batchSize: v.RETENTION_BATCH_SIZE,
  },
  delivery: {
    scheduleMs: v.DELIVERY_SCHEDULE,
    timeoutMs: v.DELIVERY_TIMEOUT_MS,
    allowedNetworks: v.DELIVERY_ALLOWED_NETWORKS,
    pauseAfterFailures: v.DELIVERY_PAUSE_AFTER_FAILURES,
    pauseMs: v.DELIVERY_PAUSE_MS,
  },
  worker: {
    maxCachedWorkflows: v.WORKER_MAX_CACHED_WORKFLOWS,
    workflowBundle: v.WORKER_WORKFLOW_BUNDLE,
    maxConcurrentWorkflowTasks: v.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivities: v.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivities: v.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    /**
     * Where /metrics is served, undefined for none: WORKER_METRICS_ADDRESS, else 0.0.0.0:9464, or
     * with NODE_ENV=test any free port, so the worker processes of parallel test files never race for one.
     */
    metricsAddress:
      v.WORKER_METRICS_ADDRESS === undefined
        ? v.NODE_ENV === 'test'
          ? '127.0.0.1:0'
          : '0.0.0.0:9464'
        : (v.WORKER_METRICS_ADDRESS ?? undefined),
    /** Where /healthz and /readyz are served, undefined for none: WORKER_HEALTH_ADDRESS, else 0.0.0.0:9465 (any free port under test). */
    healthAddress:
      v.WORKER_HEALTH_ADDRESS === undefined
        ? v.NODE_ENV === 'test'
          ? '127.0.0.1:0'
          : '0.0.0.0:9465'
        : (v.WORKER_HEALTH_ADDRESS ?? undefined),
  },
  log: { level: v.LOG_LEVEL, mongoDriverEvents: v.LOG_MONGO_DRIVER_EVENTS },
  /** What `npm start` provisions for itself (scripts/start.ts). */
  embedded: { dataDir: v.DATA_DIR, mongoFsync: v.EMBEDDED_MONGO_FSYNC, apiProcesses: v.API_PROCESSES, workerProcesses: v.WORKER_PROCESSES },
}));

export type Config = z.output<typeof configSchema>;
export type ApiConfig = Config['api'];
export type TemporalConfig = Config['temporal'];
export type DeliveryConfig = Config['delivery'];
export type WorkerConfig = Config['worker'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError listing every bad variable by name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, as in most twelve-factor tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const value = env[name];
    const shown = value === undefined || /KEY|SECRET|TOKEN|PASSWORD/i.test(name) ? '' : ` (got "${value}")`;
    return `${name} ${issue.message}${shown}`;
  });
  throw new ConfigError(problems);
}

/** For process entry points: parse or exit(1) with one readable line, never a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`postflow: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}
