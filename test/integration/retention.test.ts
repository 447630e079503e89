import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RetentionSweepInput } from '../../domain/steps/retention';
import { retentionScheduleId } from '../../domain/workflow-ids';
import { newTimeOrderedId } from '../../models/ids';
import { DAY_MS } from '../../retention/policy';
import { ensureRetentionSchedule, retentionSweepInput } from '../../retention/schedule';
import { readLastRun, sweepRetention } from '../../retention/sweep';
import { markRollupsBuilt } from '../../rollups/state';
import { fixtures } from '../support/fixtures';
import { startTestStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * The data lifecycle (retention/): what the sweep deletes and, above all, what it keeps whatever
 * its age (a click an open conversion names, attempt rows of a delivery still being retried, …);
 * and the Temporal Schedule the worker creates, which runs it.
 */
const stack = {} as TestStack;
const f = fixtures(stack);
// A yearly cron: the schedule never fires by itself during the run; the tests trigger it.
const YEARLY = '0 0 1 1 *';
beforeAll(async () => {
  Object.assign(stack, await startTestStack('retention', { schedules: true, settings: { RETENTION_SCHEDULE: YEARLY } }));
});
afterAll(async () => {
  await stack.client?.schedule
    .getHandle(retentionScheduleId(stack.taskQueue))
    .delete()
    .catch(() => undefined);
  await stack.stop?.();
});

const m = () => stack.models;
const raw = (model: { collection: unknown }) =>
  model.collection as { insertMany(docs: object[]): Promise<unknown>; find(q: object): { toArray(): Promise<{ _id: string }[]> } };
const ago = (days: number) => new Date(Date.now() - days * DAY_MS);
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS);
const ids = async (model: { collection: unknown }, query: object = {}) => (await raw(model).find(query).toArray()).map((d) => d._id).sort();

const policy: RetentionSweepInput = {
  days: { clicks: 90, deliveries: 365, deliveryAttempts: 180, ingressLog: 30, events: 90, audit: 365, testData: 30 },
  reversalWindowDays: 90,
  // Tiny batches: the sweep must page through a backlog, keeping and deleting across batch edges.
  batchSize: 2,
};

function click(_id: string, offer_id: string, ageDays: number, extra: object = {}) {
  return { _id, offer_id, affiliate_id: 'aff_x', advertiser_id: 'adv_x', created_at: ago(ageDays), ...extra };
}
function conversion(_id: string, click_id: string, status: string, receivedDaysAgo: number, updatedDaysAgo: number, extra: object = {}) {
  return {
    _id,
    dedupe_key: `dk-${_id}`,
    workflow_id: `conversion-${_id}`,
    advertiser_id: 'adv_x',
    offer_id: 'off_x',
    affiliate_id: 'aff_x',
    click_id,
    goal: 'sale',
    status,
    status_seq: 0,
    received_at: ago(receivedDaysAgo),
    updated_at: ago(updatedDaysAgo),
    ...extra,
  };
}
function delivery(_id: string, status: string, updatedDaysAgo: number, extra: object = {}) {
  const at = ago(updatedDaysAgo);
  return {
    _id,
    event_id: `evt_${_id}`,
    event: 'approved',
    conversion_id: 'cv_x',
    affiliate_id: 'aff_x',
    endpoint_id: 'pbe_x',
    offer_id: 'off_x',
    status,
    values: {},
    occurred_at: at,
    created_at: at,
    updated_at: at,
    ...extra,
  };
}
function attempt(_id: string, delivery_id: string, ageDays: number, extra: object = {}) {
  return {
    _id,
    delivery_id,
    event_id: 'evt_x',
    endpoint_id: 'pbe_x',
    run: 0,
    attempt: 1,
    method: 'GET',
    request_url: 'http://x',
    outcome: 'retry',
    at: ago(ageDays),
    ...extra,
  };
}

describe('the sweep', () => {
  let offer: string;
  let longOffer: string;

  beforeAll(async () => {
    const adv = await f.advertiser();
    offer = (await f.offer(adv.id, { attribution_window_hours: 24 * 30 })).id;
    longOffer = (await f.offer(adv.id, { attribution_window_hours: 24 * 200 })).id;
    await markRollupsBuilt(m(), 'test');
    await raw(m().Click).insertMany([
      click('clk_old1', offer, 100),
      click('clk_old2', offer, 120),
      click('clk_old3', offer, 130),
      click('clk_new', offer, 10),
      click('clk_pending', offer, 100),
      click('clk_held', offer, 110),
      click('clk_processing', offer, 105),
      click('clk_approved_recent', offer, 100),
      click('clk_approved_closed', offer, 200),
      click('clk_rejected', offer, 100),
      click('clk_long_kept', longOffer, 150),
      click('clk_long_gone', longOffer, 210),
      click('clk_no_offer', 'off_gone', 100, { trafficback: { reason: 'offer_not_found' } }),
      click('clk_test_old', offer, 40, { test: true }),
      click('clk_test_new', offer, 10, { test: true }),
      click('clk_test_open', offer, 40, { test: true }),
    ]);
    await raw(m().Conversion).insertMany([
      conversion('cv_pending', 'clk_pending', 'pending', 100, 100),
      conversion('cv_held', 'clk_held', 'held', 110, 110),
      conversion('cv_processing', 'clk_processing', 'processing', 105, 105),
      // Approved 20 days ago: its workflow waits out the 90-day reversal window, and a reversal postback names the click.
      conversion('cv_approved_recent', 'clk_approved_recent', 'approved', 100, 20),
      conversion('cv_approved_closed', 'clk_approved_closed', 'approved', 200, 95),
      conversion('cv_rejected', 'clk_rejected', 'rejected', 100, 100),
      // Test conversions: closed and old ones go; an open one and a young one stay. Real ones are never deleted.
      conversion('cv_test_closed', 'clk_test_old', 'approved', 100, 95, { test: true }),
      conversion('cv_test_rejected', 'clk_test_old', 'rejected', 40, 40, { test: true }),
      conversion('cv_test_open', 'clk_test_open', 'pending', 40, 40, { test: true }),
      conversion('cv_test_new', 'clk_test_new', 'rejected', 10, 10, { test: true }),
      conversion('cv_real_old', 'clk_old1', 'declined', 1000, 1000),
    ]);
    await raw(m().Delivery).insertMany([
      delivery('dlv_old_ok', 'succeeded', 400),
      delivery('dlv_old_dead', 'dead_lettered', 400),
      delivery('dlv_old_retrying', 'delivering', 400),
      delivery('dlv_old_pending', 'pending', 400),
      delivery('dlv_failed', 'failed', 100),
      delivery('dlv_test_old', 'succeeded', 40, { test: true }),
      delivery('dlv_test_new', 'succeeded', 10, { test: true }),
    ]);
    await raw(m().DeliveryAttempt).insertMany([
      attempt('att_retrying_1', 'dlv_old_retrying', 400),
      attempt('att_retrying_2', 'dlv_old_retrying', 200),
      attempt('att_pending_1', 'dlv_old_pending', 300),
      attempt('att_failed_old', 'dlv_failed', 200),
      attempt('att_failed_new', 'dlv_failed', 100),
      attempt('att_ok_old', 'dlv_old_ok', 400),
      attempt('att_gone_delivery', 'dlv_never_existed', 190),
      attempt('att_test_old', 'dlv_test_old', 40, { test: true }),
      attempt('att_test_new', 'dlv_test_new', 10, { test: true }),
    ]);
    const ing = (at: Date, expires: Date, suffix: string) => ({
      _id: `${newTimeOrderedId('ing', at.getTime()).slice(0, 16)}${suffix.padEnd(20, '0')}`,
      at,
      expires_at: expires,
      advertiser_id: null,
      authenticated: false,
      route: '/postback',
      method: 'GET',
      http_status: 404,
      result: 'unknown_click',
    });
    await raw(m().IngressLogEntry).insertMany([
      ing(ago(40), ago(10), 'a1'),
      // Written under a longer retention: the current 30 days apply.
      ing(ago(40), inDays(20), 'a2'),
      // Written under a shorter retention: its own expiry applies.
      ing(ago(5), ago(0.001), 'a3'),
      ing(ago(5), inDays(25), 'a4'),
    ]);
    await raw(m().Event).insertMany([
      { _id: 'evt_old', type: 'conversion.created', schema_version: 1, occurred_at: ago(100), data: {}, subject: 'x' },
      { _id: 'evt_new', type: 'conversion.created', schema_version: 1, occurred_at: ago(10), data: {}, subject: 'x' },
    ]);
    const sd = (_id: string, status: string, days: number, sequence: number) => ({
      _id,
      subscription_id: 'sub_x',
      event_id: `evt_${_id}`,
      type: 'conversion.created',
      sequence,
      body: {},
      occurred_at: ago(days),
      status,
      created_at: ago(days),
      updated_at: ago(days),
    });
    await raw(m().SubscriptionDelivery).insertMany([sd('sd_old_ok', 'succeeded', 100, 1), sd('sd_old_retrying', 'delivering', 100, 2)]);
    await raw(m().SubscriptionAttempt).insertMany([attempt('sat_old', 'sd_old_ok', 100), attempt('sat_new', 'sd_old_retrying', 10)]);
    await raw(m().SubscriptionClaim).insertMany([
      { _id: 'sub_x:0', subscription_id: 'sub_x', after: '0', next: '1', events: [], claimed_at: ago(100) },
      { _id: 'sub_x:1', subscription_id: 'sub_x', after: '1', next: '2', events: [], claimed_at: ago(1) },
    ]);
    const audit = (at: Date, suffix: string) => ({
      _id: `${newTimeOrderedId('aud', at.getTime()).slice(0, 16)}${suffix.padEnd(20, '0')}`,
      at,
      actor: { role: 'admin', via: 'key' },
      action: 'offer.update',
      count: 1,
    });
    await raw(m().AuditEntry).insertMany([audit(ago(400), 'b1'), audit(ago(10), 'b2')]);
    await raw(m().MmpEventLog).insertMany([
      {
        _id: 'mel_old',
        integration_id: 'mmp_x',
        offer_id: offer,
        vendor: 'adjust',
        reason: 'r',
        detail: 'd',
        raw: {},
        received_at: ago(91),
        expires_at: ago(1),
      },
      {
        _id: 'mel_new',
        integration_id: 'mmp_x',
        offer_id: offer,
        vendor: 'adjust',
        reason: 'r',
        detail: 'd',
        raw: {},
        received_at: ago(1),
        expires_at: inDays(89),
      },
    ]);
    await raw(m().ClickFingerprint).insertMany([
      { _id: 'fp_lapsed', until: ago(0.01) },
      { _id: 'fp_live', until: inDays(0.01) },
    ]);
    const session = (_id: string, expires: Date) => ({ _id, principal: 'ops', csrf_token: 'x', expires_at: expires, last_seen_at: ago(1) });
    await raw(m().Session).insertMany([session('ses_expired', ago(0.5)), session('ses_live', inDays(0.5))]);
    const link = (_id: string, expires: Date) => ({
      _id,
      link_id: `pl_${_id}`,
      principal: 'affiliate:aff_x',
      read_only: true,
      expires_at: expires,
      session_ttl_ms: 1000,
      created_by: 'admin',
    });
    await raw(m().PortalLink).insertMany([link('hash_expired', ago(1)), link('hash_live', inDays(1))]);
    await raw(m().TestPostbackCounter).insertMany([
      { _id: 'aff_x:old', fired: 1, expires_at: ago(1) },
      { _id: 'aff_x:now', fired: 1, expires_at: inDays(1) },
    ]);
  });

  it('deletes exactly what the policy no longer keeps, and keeps what an open conversion or an unfinished delivery needs', async () => {
    const result = await sweepRetention({ models: m(), now: () => new Date() }, policy);

    expect(await ids(m().Click)).toEqual(
      [
        'clk_new', // young
        'clk_pending', // an open conversion names it
        'clk_held',
        'clk_processing',
        'clk_approved_recent', // approved within the reversal window: a reversal postback names the click
        'clk_long_kept', // within its offer's 200-day attribution window
        'clk_test_new',
        'clk_test_open', // an open test conversion names it
      ].sort(),
    );
    expect(await ids(m().Conversion)).toEqual(
      [
        'cv_pending',
        'cv_held',
        'cv_processing',
        'cv_approved_recent',
        'cv_approved_closed',
        'cv_rejected',
        'cv_test_open',
        'cv_test_new',
        'cv_real_old',
      ].sort(),
    );
    expect(await ids(m().Delivery)).toEqual(['dlv_old_retrying', 'dlv_old_pending', 'dlv_failed', 'dlv_test_new'].sort());
    expect(await ids(m().DeliveryAttempt)).toEqual(
      ['att_retrying_1', 'att_retrying_2', 'att_pending_1', 'att_failed_new', 'att_test_new'].sort(),
    );
    expect((await m().IngressLogEntry.find({}, { _id: 1 }).lean()).map((e) => String(e._id).slice(16, 18))).toEqual(['a4']);
    expect(await ids(m().Event, { subject: 'x' })).toEqual(['evt_new']);
    expect(await ids(m().SubscriptionDelivery)).toEqual(['sd_old_retrying']);
    expect(await ids(m().SubscriptionAttempt)).toEqual(['sat_new']);
    expect(await ids(m().SubscriptionClaim)).toEqual(['sub_x:1']);
    expect((await m().AuditEntry.find({ action: 'offer.update' }, { _id: 1 }).lean()).map((e) => String(e._id).slice(16, 18))).toEqual([
      'b2',
    ]);
    expect(await ids(m().MmpEventLog)).toEqual(['mel_new']);
    expect(await ids(m().ClickFingerprint)).toEqual(['fp_live']);
    expect(await ids(m().Session)).toEqual(['ses_live']);
    expect(await ids(m().PortalLink)).toEqual(['hash_live']);
    expect(await ids(m().TestPostbackCounter)).toEqual(['aff_x:now']);

    const deleted = Object.fromEntries(result.rules.map((r) => [r.rule, r.deleted]));
    expect(deleted).toEqual({
      clicks: 7, // old1-3, approved_closed, rejected, long_gone, no_offer
      test_clicks: 1,
      test_conversions: 2,
      deliveries: 2,
      test_deliveries: 1,
      delivery_attempts: 3, // failed_old, ok_old, gone_delivery
      test_delivery_attempts: 1,
      ingress_log: 3,
      events: 1,
      subscription_deliveries: 1,
      subscription_attempts: 1,
      subscription_claims: 1,
      audit_entries: 1,
      mmp_event_log: 1,
      click_fingerprints: 1,
      sessions: 1,
      portal_links: 1,
      test_postback_counters: 1,
    });
    expect(result.deleted).toBe(30);
    // Stored for GET /api/retention and the CLI.
    expect(await readLastRun(m())).toMatchObject({ startedAt: result.startedAt, deleted: 30, rules: result.rules });

    // Idempotent: a second sweep finds nothing more.
    const again = await sweepRetention({ models: m(), now: () => new Date() }, policy);
    expect(again.deleted).toBe(0);
  });

  it('keeps every click while reports still read raw rows, and everything whose retention is off', async () => {
    await raw(m().Click).insertMany([click('clk_unrolled', offer, 100)]);
    await m().RollupState.deleteMany({});
    await raw(m().AuditEntry).insertMany([
      {
        _id: `${newTimeOrderedId('aud', ago(4000).getTime()).slice(0, 16)}${'c1'.padEnd(20, '0')}`,
        at: ago(4000),
        actor: { role: 'admin', via: 'key' },
        action: 'offer.update',
        count: 1,
      },
    ]);
    const forever = { ...policy, days: { ...policy.days, audit: null, deliveries: null, deliveryAttempts: null, testData: null } };
    const result = await sweepRetention({ models: m(), now: () => new Date() }, forever);
    expect(result.rules.find((r) => r.rule === 'clicks')).toMatchObject({ deleted: 0, skipped: expect.stringMatching(/raw clicks/) });
    expect(result.rules.filter((r) => r.cutoff === null).map((r) => r.rule)).toEqual(
      expect.arrayContaining(['audit_entries', 'deliveries', 'delivery_attempts', 'test_clicks', 'test_conversions']),
    );
    expect(await m().Click.exists({ _id: 'clk_unrolled' })).not.toBeNull();
    expect(await m().AuditEntry.countDocuments({ action: 'offer.update' })).toBe(2);
    await markRollupsBuilt(m(), 'test');
    await sweepRetention({ models: m(), now: () => new Date() }, policy);
    expect(await m().Click.exists({ _id: 'clk_unrolled' })).toBeNull();
  });
});

describe('the schedule', () => {
  const scheduleId = () => retentionScheduleId(stack.taskQueue);

  it('exists after the worker started, with the configured spec, overlap SKIP and the policy as its argument', async () => {
    const description = await stack.client.schedule.getHandle(scheduleId()).describe();
    expect(description.spec.calendars?.length ?? 0).toBeGreaterThan(0); // the cron, as Temporal stores it
    expect(description.state.paused).toBe(false);
    expect(description.state.note).toMatch(/RETENTION_SCHEDULE: cron "0 0 1 1 \*"/);
    expect(description.policies.overlap).toBe('SKIP');
    expect(description.action).toMatchObject({ workflowType: 'retentionSweep', taskQueue: stack.taskQueue });
    expect(description.action.args).toEqual([retentionSweepInput(stack.config)]);
  });

  it('is updated in place by a later start with another configuration (idempotent)', async () => {
    const changed = stack.configWith({ RETENTION_SCHEDULE: 'off', RETENTION_CLICKS_DAYS: '45' });
    expect(await ensureRetentionSchedule(stack.client, changed)).toEqual({ scheduleId: scheduleId(), created: false });
    const paused = await stack.client.schedule.getHandle(scheduleId()).describe();
    expect(paused.state.paused).toBe(true);
    expect((paused.action.args?.[0] as RetentionSweepInput).days.clicks).toBe(45);
    expect(await ensureRetentionSchedule(stack.client, stack.config)).toEqual({ scheduleId: scheduleId(), created: false });
    const back = await stack.client.schedule.getHandle(scheduleId()).describe();
    expect(back.state.paused).toBe(false);
    expect(back.action.args).toEqual([retentionSweepInput(stack.config)]);
  });

  it('runs the sweep when triggered through the API (audited), and shows the policy and the last run', async () => {
    await raw(m().ClickFingerprint).insertMany([{ _id: 'fp_due', until: ago(1) }]);
    const before = await readLastRun(m());
    const res = await f.admin('post', '/api/retention/run');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ schedule_id: scheduleId(), triggered: true });
    await waitFor('the triggered sweep to delete the lapsed fingerprint and record its run', async () => {
      const run = await readLastRun(m());
      return (await m().ClickFingerprint.exists({ _id: 'fp_due' })) === null && run && run.startedAt !== before?.startedAt;
    });
    const state = await f.admin('get', '/api/retention');
    expect(state.status).toBe(200);
    expect(state.body.schedule).toMatchObject({ id: scheduleId(), paused: false });
    expect(state.body.schedule.recent_runs.length).toBeGreaterThan(0);
    expect(state.body.policy.rules.find((r: { rule: string }) => r.rule === 'clicks')).toMatchObject({
      variable: 'RETENTION_CLICKS_DAYS',
      days: 90,
    });
    expect(state.body.policy.rules.find((r: { rule: string }) => r.rule === 'audit_entries')).toMatchObject({ days: null });
    expect(state.body.last_run.rules.find((r: { rule: string }) => r.rule === 'click_fingerprints').deleted).toBeGreaterThanOrEqual(1);
    const audit = await f.admin('get', '/api/audit').query({ action: 'retention.run' });
    expect(audit.body.data).toHaveLength(1);
  });

  it('is reached from the CLI: `postflow retention` shows it, `--run-now` triggers it', async () => {
    const server: Server = stack.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const cwd = mkdtempSync(path.join(tmpdir(), 'postflow-retention-cli-'));
    const bin = path.join(__dirname, '..', '..', 'bin', 'postflow.js');
    const env = {
      ...process.env,
      POSTFLOW_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      POSTFLOW_ADMIN_KEY: TEST_ADMIN_KEY,
    };
    const postflow = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [bin, ...args], { cwd, env, timeout: 30_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
        ),
      );
    try {
      const shown = await postflow(['retention']);
      expect(shown).toMatchObject({ code: 0, stderr: '' });
      expect(shown.stdout).toMatch(new RegExp(`schedule\\s+│ ${scheduleId()}`));
      expect(shown.stdout).toMatch(/clicks .*│ 90 d/);
      expect(shown.stdout).toMatch(/Last sweep: /);
      const run = await postflow(['retention', '--run-now', '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ schedule: { id: scheduleId() } });
    } finally {
      server.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
