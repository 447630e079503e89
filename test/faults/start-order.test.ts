import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/infra/child';
import { setupOverHttp, startEntry, workerHealthUrl, workerReady, type Proc } from '../support/processes';
import { waitFor } from '../support/wait-for';
import { ownMongo, ownTemporal, type OwnedServer } from './support/servers';

/**
 * Scenario 7: a deployment starts services in any order. The API and the worker are started
 * while neither MongoDB nor Temporal is there; they wait (saying so in their logs) and come up
 * once the servers appear, MongoDB first and Temporal some seconds later, with no restart.
 */
const skip =
  process.env.MONGO_URL || process.env.TEMPORAL_ADDRESS
    ? 'MONGO_URL or TEMPORAL_ADDRESS is set: this scenario starts its own servers late'
    : undefined;
if (skip) process.stderr.write(`[faults] skipped start-order scenario: ${skip}\n`);

(skip ? describe.skip : describe)('fault: api and worker started before MongoDB and Temporal', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'postflow-faults-start-order-'));
  const procs: Proc[] = [];
  let servers: OwnedServer[] = [];
  let failed = true;

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    if (failed) {
      procs.forEach((p, i) => writeFileSync(path.join(dir, `${i === 0 ? 'api' : 'worker'}.log`), p.output()));
      process.stderr.write(`[faults] logs kept in ${dir}\n`);
    }
    for (const s of servers) await s.stop().catch(() => undefined);
    if (!failed) rmSync(dir, { recursive: true, force: true });
  });

  it('waits for both servers and then serves, without a restart', async () => {
    const mongo = await ownMongo(dir, { startNow: false });
    const temporal = await ownTemporal(dir, { startNow: false });
    servers = [temporal, mongo];
    const port = await freePort();
    const adminKey = 'start-order-admin-key-0123456789';
    const env = {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      MONGO_URL: `${mongo.url}/start_order`,
      TEMPORAL_ADDRESS: temporal.url,
      TASK_QUEUE: 'faults-start-order',
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'warn',
    };
    const apiUrl = `http://127.0.0.1:${port}`;
    const api = startEntry('api/server.ts', env);
    const worker = startEntry('worker/main.ts', env);
    procs.push(api, worker);
    const alive = () => {
      for (const [name, p] of [
        ['api', api],
        ['worker', worker],
      ] as const) {
        if (p.child.exitCode !== null)
          throw new Error(`the ${name} exited with ${p.child.exitCode} instead of waiting:\n${p.output().slice(-2000)}`);
      }
    };

    await waitFor(
      'api and worker waiting for MongoDB',
      () => (alive(), [api, worker].every((p) => p.output().includes('waiting for MongoDB'))),
      60_000,
      100,
    );
    // Waiting, the worker is alive but not ready: an orchestrator keeps it and sends it no traffic.
    const health = workerHealthUrl(worker)!;
    expect((await fetch(`${health}/healthz`)).status).toBe(200);
    const waiting = await fetch(`${health}/readyz`);
    expect(waiting.status).toBe(503);
    expect(await waiting.json()).toEqual({ status: 'unavailable', checks: { workers: 'unavailable: starting' } });
    await mongo.restart();
    await waitFor(
      'api and worker waiting for Temporal once MongoDB is up',
      () => (alive(), [api, worker].every((p) => p.output().includes('waiting for Temporal'))),
      60_000,
      100,
    );
    await temporal.restart();
    await waitFor(
      'the API ready',
      async () => (alive(), (await fetch(`${apiUrl}/readyz`).catch(() => undefined))?.status === 200),
      120_000,
      250,
    );
    await waitFor('the worker ready (its /readyz)', async () => (alive(), await workerReady(worker)), 120_000, 250);
    const ready = (await (await fetch(`${health}/readyz`)).json()) as { checks: Record<string, string> };
    expect(ready.checks).toEqual({ mongodb: 'ok', temporal: 'ok', workers: 'ok' });

    // And the whole path works: a conversion posted now is processed by that worker.
    const { token, clickId } = await setupOverHttp(apiUrl, adminKey);
    const res = await fetch(`${apiUrl}/postback?click_id=${clickId}&txid=late-start-1&amount=10.00&token=${token}`);
    expect(res.status).toBe(200);
    const { conversion_id: id } = (await res.json()) as { conversion_id: string };
    const status = await waitFor(
      'the conversion decided',
      async () => {
        const r = await fetch(`${apiUrl}/api/conversions/${id}`, { headers: { authorization: `Bearer ${adminKey}` } });
        const body = (await r.json()) as { status?: string };
        return body.status && body.status !== 'processing' ? body.status : undefined;
      },
      60_000,
      250,
    );
    expect(status).toBe('approved');
    expect(api.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    failed = false;
  }, 400_000);
});
