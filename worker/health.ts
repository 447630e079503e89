import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One dependency or part of the worker: resolves when it is fine, rejects saying what is wrong. */
export type HealthCheck = () => Promise<void> | void;

export interface WorkerHealthServer {
  /** Where it listens, as `host:port` (the real port when asked for port 0). */
  address: string;
  /** Replaces the readiness checks: start-up serves "starting" until the workers exist. */
  setChecks(checks: Record<string, HealthCheck>): void;
  close(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 3_000;

/**
 * The worker's HTTP health endpoints, for `npm start`, compose healthchecks, orchestrators and the
 * fault suite (until now they waited for a log line):
 * - `GET /healthz`: 200 while the process serves requests (liveness; never looks at dependencies,
 *   so an outage of MongoDB or Temporal does not get a healthy worker restarted);
 * - `GET /readyz`: 200 `{status: 'ready', checks}` when every check passes, else 503 naming what is
 *   down. Before the workers have started it answers 503 with `workers: starting`.
 *
 * It listens before the worker connects anywhere, so a worker waiting for MongoDB or Temporal is
 * seen as alive and not ready. Plain node:http: two fixed JSON answers need no framework.
 */
export async function startWorkerHealthServer(listenAddress: string): Promise<WorkerHealthServer> {
  let checks: Record<string, HealthCheck> = {
    workers: () => {
      throw new Error('starting');
    },
  };
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, { error: 'method_not_allowed' });
    if (path === '/healthz') return reply(200, { status: 'ok' });
    if (path !== '/readyz') return reply(404, { error: 'not_found', message: 'the worker serves /healthz and /readyz' });
    void readiness(checks).then(({ ready, report }) =>
      reply(ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks: report }),
    );
  });
  const { host, port } = splitAddress(listenAddress);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`,
    setChecks: (next) => {
      checks = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readiness(checks: Record<string, HealthCheck>): Promise<{ ready: boolean; report: Record<string, string> }> {
  const names = Object.keys(checks);
  const results = await Promise.allSettled(names.map((name) => withTimeout(Promise.resolve().then(checks[name]!), CHECK_TIMEOUT_MS)));
  const report: Record<string, string> = {};
  results.forEach((result, i) => {
    report[names[i]!] = result.status === 'fulfilled' ? 'ok' : `unavailable: ${(result.reason as Error)?.message ?? String(result.reason)}`;
  });
  return { ready: results.every((r) => r.status === 'fulfilled'), report };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `ip:port` or `[ipv6]:port`, as config/index.ts validated it. */
function splitAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(address)!;
  return { host: match[1] ?? match[2]!, port: Number(match[3]) };
}
