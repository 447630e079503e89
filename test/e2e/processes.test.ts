import { Client, Connection } from '@temporalio/client';
import mongoose from 'mongoose';
import { useProcesses } from '../support/preamble';
import { freePort } from '../../scripts/infra/child';
import { processEnv, setupOverHttp, startEntry } from '../support/processes';
import { waitFor } from '../support/wait-for';

/**
 * The shipped entry points as separate processes (what `npm start` runs), configured only
 * through environment variables, talking to the run's real Temporal and MongoDB over HTTP/gRPC.
 */
describe('api and worker processes, end to end', () => {
  const processes = useProcesses('e2e');

  it('a click and a postback over HTTP become a workflow, listed by search attribute, and a MongoDB document', async () => {
    const { env, apiUrl } = processes;
    const { advertiser, offer, clickId } = await setupOverHttp(apiUrl, env.ADMIN_API_KEY!);

    const res = await fetch(`${apiUrl}/postback?click_id=${clickId}&txid=e2e-1&amount=5.00&token=${advertiser.postback_token}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { conversion_id: string; result: string };
    expect(body.result).toBe('accepted');

    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
    try {
      const client = new Client({ connection });
      const listed = await waitFor('the approved conversion in the listing', async () => {
        for await (const wf of client.workflow.list({
          query: `PostflowClickId = '${clickId}' AND PostflowStatus = 'approved'`,
        }))
          return wf;
        return undefined;
      });
      expect(listed.workflowId).toBe(`conversion-${body.conversion_id}`);
      expect(listed.taskQueue).toBe(env.TASK_QUEUE);
    } finally {
      await connection.close();
    }

    const mongo = await mongoose.createConnection(env.MONGO_URL!).asPromise();
    try {
      const doc = await waitFor('the conversion document', () =>
        mongo.collection('conversions').findOne({ _id: body.conversion_id as never }),
      );
      expect(doc).toMatchObject({
        click_id: clickId,
        txid: 'e2e-1',
        amount: '5.00',
        offer_id: offer.id,
        payout_minor: 250,
      });
      await mongo.dropDatabase();
    } finally {
      await mongo.close();
    }
  });

  it('both processes stop cleanly (exit 0) on SIGTERM', async () => {
    const { api, worker } = processes;
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(await worker.exited).toBe(0);
    expect(api.output()).toContain('api stopped');
    expect(worker.output()).toContain('worker stopped');
  });
});

describe('stopping a process that is still starting', () => {
  it('a worker waiting for Temporal stops on SIGTERM (exit 0) instead of ignoring it', async () => {
    const { env } = await processEnv('e2e-stop-waiting', { WORKER_METRICS_ADDRESS: 'off' });
    // A port nothing listens on: the worker connects to MongoDB, then waits for Temporal.
    const worker = startEntry('worker/main.ts', { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
    try {
      await waitFor('the worker to wait for Temporal', () => worker.output().includes('waiting for Temporal'), 30_000);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(worker.output()).toContain('SIGTERM before start-up finished; worker stopped');
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});

describe('configuration errors', () => {
  it('a bad variable stops the process with exit 1 and one line naming it', async () => {
    const proc = startEntry('api/server.ts', { PORT: 'eighty', TEMPORAL_ADDRESS: 'nowhere' });
    expect(await proc.exited).toBe(1);
    const lines = proc.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^postflow: invalid configuration: .*PORT .*TEMPORAL_ADDRESS /);
  });
});
