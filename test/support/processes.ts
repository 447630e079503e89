import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../scripts/infra/child';
import { instanceEnv } from '../../system/instance-env';
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

/** Environment for api/worker processes of one test file: its own database, queue and port. */
export async function processEnv(
  name: string,
  extra: Record<string, string> = {},
): Promise<{ env: Record<string, string>; apiUrl: string }> {
  const port = await freePort();
  const env = instanceEnv({
    database: name,
    taskQueue: `test-${name}`,
    adminKey: `${name}-admin-key-0123456789`,
    mongoUrl: testEnv('mongoUrl'),
    temporalAddress: testEnv('temporalAddress'),
    port,
    settings: { NODE_ENV: 'test', ...extra },
  });
  return { env, apiUrl: `http://127.0.0.1:${port}` };
}

/**
 * Over plain HTTP, as a user would: an advertiser, an affiliate, an offer (EUR, goal "sale"
 * paying 2.50) and one click on it.
 */
export async function setupOverHttp(apiUrl: string, adminKey: string) {
  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string; postback_token?: string };
  };
  const advertiser = await admin('/api/advertisers', { name: 'Shop' });
  const affiliate = await admin('/api/affiliates', { name: 'Publisher' });
  const offer = await admin('/api/offers', {
    advertiser_id: advertiser.id,
    name: 'Shoes',
    url: 'https://shop.example/?cid={click_id}',
    currency: 'EUR',
    default_goal: 'sale',
    goals: [{ key: 'sale', payout: { type: 'fixed', amount: '2.50' }, revenue: { type: 'fixed', amount: '4' } }],
  });
  const click = await fetch(`${apiUrl}/click?offer_id=${offer.id}&aff_id=${affiliate.id}`, { redirect: 'manual' });
  if (click.status !== 302) throw new Error(`/click: ${click.status}`);
  const clickId = new URL(click.headers.get('location')!).searchParams.get('cid')!;
  return { admin, advertiser, affiliate, offer, clickId, token: advertiser.postback_token! };
}
