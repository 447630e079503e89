import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../scripts/infra/child';
import { instanceEnv } from '../../system/instance-env';
import { adminOverHttp, clickOverHttp, seedOffer } from '../../system/seed';
import { testEnv } from './test-env';

const root = path.join(__dirname, '..', '..');

export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs one of the shipped entry points (api/server.ts, worker/main.ts) as its own process. */
export function startEntry(entry: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, entry)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** A worker's health endpoints, from its start-up line (under test it listens on a free port). */
export function workerHealthUrl(worker: Proc): string | undefined {
  return /worker health on (http:\/\/\S+)\/healthz/.exec(worker.output())?.[1];
}

/** True once the worker's /readyz answers 200: its task queues are polled and MongoDB and Temporal answer. */
export async function workerReady(worker: Proc): Promise<boolean> {
  const url = workerHealthUrl(worker);
  if (!url) return false;
  return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
}

/** Environment for api/worker processes of one test file: its own database, queue and port. */
export async function processEnv(
  name: string,
  extra: Record<string, string | undefined> = {},
): Promise<{ env: Record<string, string>; apiUrl: string }> {
  const port = await freePort();
  const env = instanceEnv({
    database: name,
    taskQueue: `test-${name}`,
    adminKey: `${name}-admin-key-0123456789`,
    mongoUrl: testEnv('mongoUrl'),
    temporalAddress: testEnv('temporalAddress'),
    port,
    settings: { NODE_ENV: 'test', WORKER_WORKFLOW_BUNDLE: testEnv('workflowBundle'), ...extra },
  });
  return { env, apiUrl: `http://127.0.0.1:${port}` };
}

/**
 * Over plain HTTP, as a user would: an advertiser, an affiliate, an offer (EUR, goal "sale"
 * paying 2.50) and one click on it.
 */
export async function setupOverHttp(apiUrl: string, adminKey: string) {
  const admin = adminOverHttp(apiUrl, adminKey);
  const { advertiser, affiliate, offer } = await seedOffer(admin, {
    advertiser: { name: 'Shop' },
    affiliate: { name: 'Publisher' },
    offer: {
      name: 'Shoes',
      url: 'https://shop.example/?cid={click_id}',
      currency: 'EUR',
      default_goal: 'sale',
      goals: [{ key: 'sale', payout: { type: 'fixed', amount: '2.50' }, revenue: { type: 'fixed', amount: '4' } }],
    },
  });
  const clickId = await clickOverHttp(apiUrl, offer.id, affiliate.id);
  return { admin, advertiser, affiliate, offer, clickId, token: advertiser.postback_token };
}
