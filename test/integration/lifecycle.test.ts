import { Worker } from '@temporalio/worker';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { conversionWorkflowId } from '../../domain/workflow-ids';
import { lateChangeWorkflowId, workflowTypes, type ApplyLateStatusChange } from '../../workflows/contract';
import { payableMinor, type LifecycleStatus } from '../../domain/status';
import { useTestStack } from '../support/preamble';
import { uniqueName } from '../support/stack';
import { testEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

const { stack, f } = useTestStack('lifecycle');

const sale = (extra: Record<string, unknown> = {}) => [
  { key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' }, ...extra },
];

const statusOf = (id: string, status: LifecycleStatus) =>
  waitFor(
    `conversion ${id} to be ${status}`,
    async () => {
      const doc = await stack.models.Conversion.findById(id).lean();
      return doc?.status === status ? doc : undefined;
    },
    30_000,
  );

/** Invariant 3: the conversion's ledger always sums to what its current status makes payable. */
async function expectLedgerMatches(id: string) {
  const doc = await stack.models.Conversion.findById(id).lean();
  const entries = await stack.models.LedgerEntry.find({ conversion_id: id }).lean();
  const sum = (account: string) => entries.filter((e) => e.account === account).reduce((t, e) => t + e.amount_minor, 0);
  expect(sum('affiliate_payable')).toBe(payableMinor(doc!.status as LifecycleStatus, doc!.payout_minor ?? 0));
  expect(sum('advertiser_receivable')).toBe(payableMinor(doc!.status as LifecycleStatus, doc!.revenue_minor ?? 0));
}

/** A conversion in `status`: pending by default status, held by a fraud hold. */
async function conversionIn(status: 'pending' | 'held' | 'approved') {
  const offerBody =
    status === 'held'
      ? { goals: sale(), fraud: { min_seconds_to_convert: 3600, action: 'hold' } }
      : { goals: sale({ default_status: status }) };
  const s = await f.setup(offerBody);
  const res = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token });
  expect(res.status).toBe(200);
  await statusOf(res.body.conversion_id, status);
  return { ...s, id: res.body.conversion_id as string };
}

const setStatus = (id: string, status: string, reason = 'test') =>
  f.admin('post', `/api/conversions/${id}/status`).send({ status, reason });

describe('status lifecycle through the ops API', () => {
  it.each([
    ['pending', 'approved'],
    ['pending', 'declined'],
    ['held', 'approved'],
    ['held', 'declined'],
    ['approved', 'reversed'],
  ] as const)('%s → %s is applied, recorded and booked', async (from, to) => {
    const c = await conversionIn(from);
    const res = await setStatus(c.id, to);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ changed: true, status: to, reason_codes: ['test'] });
    expect(res.body.status_history.at(-1)).toMatchObject({ from, to, actor: 'ops', reason: 'test' });
    await expectLedgerMatches(c.id);
  });

  it.each([
    ['pending', 'reversed'],
    ['held', 'reversed'],
    ['approved', 'declined'],
    ['approved', 'pending'],
  ] as const)('%s → %s is refused with 409 and changes nothing', async (from, to) => {
    const c = await conversionIn(from);
    const res = await setStatus(c.id, to);
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('illegal_transition');
    expect(res.body.message).toContain(`from ${from} to ${to}`);
    expect((await stack.models.Conversion.findById(c.id).lean())!.status).toBe(from);
    await expectLedgerMatches(c.id);
  });

  it('final statuses refuse every change, after the workflow has closed too', async () => {
    const c = await conversionIn('pending');
    expect((await setStatus(c.id, 'declined')).status).toBe(200);
    await stack.client.workflow.getHandle(conversionWorkflowId(c.id)).result(); // declined is final: the workflow closes
    for (const to of ['approved', 'pending', 'reversed']) {
      const res = await setStatus(c.id, to);
      expect([res.status, res.body.error]).toEqual([409, 'illegal_transition']);
      expect(res.body.message).toContain('declined is final');
    }
  });

  it('two conflicting changes at once: one wins, the other is refused, the ledger follows the winner', async () => {
    const c = await conversionIn('pending');
    const [a, b] = await Promise.all([setStatus(c.id, 'approved', 'advertiser said so'), setStatus(c.id, 'declined', 'ops said so')]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? 'approved' : 'declined';
    const doc = await statusOf(c.id, winner);
    expect(doc.status_history).toHaveLength(2); // the first decision and the winner, nothing else
    await expectLedgerMatches(c.id);
    const handle = stack.client.workflow.getHandle(conversionWorkflowId(c.id));
    expect((await handle.query('conversion')) as { status: string }).toMatchObject({ status: winner });
  });

  it('the same change twice at once is applied once', async () => {
    const c = await conversionIn('pending');
    const results = await Promise.all([setStatus(c.id, 'approved'), setStatus(c.id, 'approved')]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.map((r) => r.body.changed).sort()).toEqual([false, true]);
    expect((await stack.models.Conversion.findById(c.id).lean())!.status_history).toHaveLength(2);
    expect(await stack.models.LedgerEntry.countDocuments({ conversion_id: c.id })).toBe(2);
  });

  it('repeating the current status is a no-op (changed: false)', async () => {
    const c = await conversionIn('approved');
    const res = await setStatus(c.id, 'approved');
    expect(res.status).toBe(200);
    expect(res.body.changed).toBe(false);
    expect(await stack.models.LedgerEntry.countDocuments({ conversion_id: c.id })).toBe(2);
  });

  it('ops API: unknown conversion → 404; bad body → 400; no key → 401', async () => {
    expect((await setStatus('cv_nope', 'approved')).status).toBe(404);
    const c = await conversionIn('pending');
    const bad = await f.admin('post', `/api/conversions/${c.id}/status`).send({ status: 'processing' });
    expect([bad.status, bad.body.issues[0].path]).toEqual([400, 'status']);
    expect((await f.http().post(`/api/conversions/${c.id}/status`).send({ status: 'approved' })).status).toBe(401);
  });
});

describe('status updates by postback', () => {
  it('pending → approved by a later postback with the same key; the repeat is a duplicate; an illegal one is 409', async () => {
    const s = await f.setup({ goals: sale({ default_status: 'pending' }) });
    const first = await f.http().get('/postback').query({ click_id: s.clickId, txid: 'o-1', token: s.token });
    await statusOf(first.body.conversion_id, 'pending');
    const update = await f.http().get('/postback').query({ click_id: s.clickId, txid: 'o-1', token: s.token, status: 'approved' });
    expect(update.body).toEqual({
      conversion_id: first.body.conversion_id,
      result: 'status_update',
      status: 'approved',
    });
    const repeat = await f.http().get('/postback').query({ click_id: s.clickId, txid: 'o-1', token: s.token, status: 'approved' });
    expect(repeat.body).toEqual({ conversion_id: first.body.conversion_id, result: 'duplicate' });
    const illegal = await f.http().get('/postback').query({ click_id: s.clickId, txid: 'o-1', token: s.token, status: 'declined' });
    expect([illegal.status, illegal.body.error]).toEqual([409, 'illegal_transition']);
    await expectLedgerMatches(first.body.conversion_id);
  });

  it('a first postback that says declined is recorded as rejected, never booked', async () => {
    const s = await f.setup({ goals: sale() });
    const res = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, status: 'declined' });
    const doc = await statusOf(res.body.conversion_id, 'rejected');
    expect(doc.reason_codes).toEqual(['advertiser_declined']);
    expect(await stack.models.LedgerEntry.countDocuments({ conversion_id: res.body.conversion_id })).toBe(0);
  });
});

describe('booking survives a crash after the write (invariant 3)', () => {
  it('a recordTransition that fails after booking is retried by Temporal and books once', async () => {
    const taskQueue = `test-${uniqueName('crashy')}`;
    const real = createActivities({ models: stack.models, now: () => new Date() });
    let crashes = 0;
    const worker = await Worker.create({
      connection: stack.workers.workers[0]!.options.connection!,
      namespace: 'default',
      taskQueue,
      workflowBundle: { codePath: testEnv('workflowBundle') },
      activities: {
        ...real,
        // Writes, then dies before reporting success: what a worker crash mid-activity looks like.
        recordTransition: async (input: Parameters<typeof real.recordTransition>[0]) => {
          const result = await real.recordTransition(input);
          if (crashes++ === 0) throw new Error('simulated crash after the ledger write');
          return result;
        },
      },
    });
    const running = worker.run();
    try {
      const app = createApp({
        config: stack.configWith({ TASK_QUEUE: taskQueue }),
        temporal: stack.client,
        mongo: stack.mongo,
        models: stack.models,
      });
      const s = await f.setup({ goals: sale() });
      const res = await request(app.callback()).get('/postback').query({ click_id: s.clickId, token: s.token });
      await statusOf(res.body.conversion_id, 'approved');
      await waitFor('the retried activity', () => crashes >= 2);
      expect(await stack.models.LedgerEntry.countDocuments({ conversion_id: res.body.conversion_id })).toBe(2);
      await expectLedgerMatches(res.body.conversion_id);
    } finally {
      worker.shutdown();
      await running;
    }
  });
});

describe('one transition rule for the workflow and for late changes', () => {
  it('a late rejection gives the cap place back, as the workflow would (freesCaps)', async () => {
    const s = await f.setup({ goals: sale({ default_status: 'pending' }), caps: [{ metric: 'conversions', period: 'total', limit: 1 }] });
    const res = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token });
    const id = res.body.conversion_id as string;
    await statusOf(id, 'pending');
    const reserved = async () => (await stack.models.CapCounter.find({ offer_id: s.offer.id }).lean()).map((c) => c.reserved);
    expect(await reserved()).toEqual([1]);
    // A workflow ended after reserving its place and before deciding (terminated by ops): the
    // projection is still processing, and the rejection can only come as a late change.
    await stack.client.workflow.getHandle(conversionWorkflowId(id)).terminate('test: ended before deciding');
    await stack.models.Conversion.updateOne({ _id: id }, { $set: { status: 'processing', status_seq: -1 } });
    const result = await stack.client.workflow.execute<ApplyLateStatusChange>(workflowTypes.applyLateStatusChange, {
      taskQueue: stack.taskQueue,
      workflowId: lateChangeWorkflowId(id, 'rejected'),
      args: [{ conversionId: id, change: { status: 'rejected', actor: 'system', reason: 'ended before deciding' } }],
    });
    expect(result).toMatchObject({ changed: true, conversion: { status: 'rejected' } });
    expect(await reserved()).toEqual([0]);
  });
});
