import { ConfigError, loadConfig } from '../../config';
import {
  clickAgeFilter,
  closedConversionFilter,
  cutoffOf,
  DAY_MS,
  openConversionFilter,
  parseRetentionDays,
  parseRetentionSchedule,
  retentionRules,
  ruleDays,
} from '../../retention/policy';
import { retentionSweepInput, scheduleSpecOf } from '../../retention/schedule';

const now = new Date('2026-06-01T12:00:00.000Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * DAY_MS);

describe('the retention configuration', () => {
  it('has defaults a tracker user expects: clicks 90 d, deliveries 365 d, attempts 180 d, test data 30 d, audit forever, hourly', () => {
    const { retention } = loadConfig({});
    expect(retention).toEqual({
      days: { clicks: 90, deliveries: 365, deliveryAttempts: 180, ingressLog: 30, events: 90, audit: null, testData: 30 },
      schedule: { kind: 'interval', everyMs: 3_600_000 },
      batchSize: 2000,
    });
  });

  it('reads 0 and off as keep forever, fractions as fractions, and reuses the ingress log and event retentions', () => {
    const { retention } = loadConfig({
      RETENTION_CLICKS_DAYS: 'off',
      RETENTION_DELIVERIES_DAYS: '0',
      RETENTION_DELIVERY_ATTEMPTS_DAYS: '0.5',
      RETENTION_AUDIT_DAYS: '400',
      RETENTION_TEST_DATA_DAYS: 'OFF',
      INGRESS_LOG_RETENTION_DAYS: '7',
      EVENTS_RETENTION_DAYS: '14',
      RETENTION_SCHEDULE: '15 3 * * *',
      RETENTION_BATCH_SIZE: '500',
    });
    expect(retention).toEqual({
      days: { clicks: null, deliveries: null, deliveryAttempts: 0.5, ingressLog: 7, events: 14, audit: 400, testData: null },
      schedule: { kind: 'cron', expression: '15 3 * * *' },
      batchSize: 500,
    });
  });

  it.each([
    ['RETENTION_CLICKS_DAYS', 'ninety', /RETENTION_CLICKS_DAYS must be a number of days such as 90, or 0 \/ off to keep forever/],
    ['RETENTION_DELIVERY_ATTEMPTS_DAYS', '-1', /RETENTION_DELIVERY_ATTEMPTS_DAYS must be a number of days/],
    ['RETENTION_AUDIT_DAYS', '5000', /RETENTION_AUDIT_DAYS .*at most 3650 days/],
    ['RETENTION_SCHEDULE', 'hourly', /RETENTION_SCHEDULE must be an interval such as 1h, a cron expression/],
    ['RETENTION_SCHEDULE', '30s', /RETENTION_SCHEDULE must be an interval/],
    ['RETENTION_SCHEDULE', '* * *', /RETENTION_SCHEDULE must be an interval/],
    ['RETENTION_BATCH_SIZE', '100000', /RETENTION_BATCH_SIZE/],
  ])('refuses %s=%p with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('parses the schedule forms: intervals, cron, macros, off', () => {
    expect(parseRetentionSchedule('30m')).toEqual({ kind: 'interval', everyMs: 30 * 60_000 });
    expect(parseRetentionSchedule('1d')).toEqual({ kind: 'interval', everyMs: DAY_MS });
    expect(parseRetentionSchedule(' 0  */2 * * * ')).toEqual({ kind: 'cron', expression: '0 */2 * * *' });
    expect(parseRetentionSchedule('@Daily')).toEqual({ kind: 'cron', expression: '@daily' });
    expect(parseRetentionSchedule('off')).toEqual({ kind: 'off' });
    expect(scheduleSpecOf({ kind: 'interval', everyMs: 60_000 })).toEqual({ intervals: [{ every: 60_000 }] });
    expect(scheduleSpecOf({ kind: 'cron', expression: '@daily' })).toEqual({ cronExpressions: ['@daily'] });
    expect(parseRetentionDays('90')).toBe(90);
    expect(parseRetentionDays('off')).toBeNull();
    expect(() => parseRetentionDays('1e3')).toThrow(/number of days/);
  });

  it('hands the schedule the policy, the reversal window in days and the batch size', () => {
    const config = loadConfig({ REVERSAL_WINDOW_DAYS: '60', RETENTION_CLICKS_DAYS: '10', RETENTION_BATCH_SIZE: '1000' });
    expect(retentionSweepInput(config)).toEqual({
      days: expect.objectContaining({ clicks: 10 }),
      reversalWindowDays: 60,
      batchSize: 1000,
    });
  });
});

describe('the policy table', () => {
  const days = loadConfig({}).retention.days;

  it('names a variable and its days for every `days` rule, and none for the rows that carry their own expiry', () => {
    for (const rule of retentionRules)
      expect({ rule: rule.rule, ok: rule.kind === 'days' ? Boolean(rule.variable && rule.days) : !rule.variable && !rule.days }).toEqual({
        rule: rule.rule,
        ok: true,
      });
    expect(new Set(retentionRules.map((r) => r.rule)).size).toBe(retentionRules.length);
  });

  it("puts each rule's cutoff at its days before now; keep-forever rules get none; expiry rules cut at now", () => {
    const cutoffs = Object.fromEntries(retentionRules.map((r) => [r.rule, cutoffOf(now, ruleDays(r, days))?.toISOString() ?? null]));
    expect(cutoffs).toEqual({
      clicks: daysAgo(90).toISOString(),
      test_clicks: daysAgo(30).toISOString(),
      test_conversions: daysAgo(30).toISOString(),
      deliveries: daysAgo(365).toISOString(),
      test_deliveries: daysAgo(30).toISOString(),
      delivery_attempts: daysAgo(180).toISOString(),
      test_delivery_attempts: daysAgo(30).toISOString(),
      ingress_log: daysAgo(30).toISOString(),
      events: daysAgo(90).toISOString(),
      subscription_deliveries: daysAgo(90).toISOString(),
      subscription_attempts: daysAgo(90).toISOString(),
      subscription_claims: daysAgo(90).toISOString(),
      audit_entries: null,
      mmp_event_log: now.toISOString(),
      click_fingerprints: now.toISOString(),
      sessions: now.toISOString(),
      portal_links: now.toISOString(),
      test_postback_counters: now.toISOString(),
    });
    expect(cutoffOf(now, 0.5)).toEqual(new Date(now.getTime() - 12 * 3600 * 1000));
  });

  it('sweeps a delivery before its attempt rows, so attempts of a delivery gone are not kept for it', () => {
    const order = retentionRules.map((r) => r.rule);
    expect(order.indexOf('deliveries')).toBeLessThan(order.indexOf('delivery_attempts'));
    expect(order.indexOf('test_deliveries')).toBeLessThan(order.indexOf('test_delivery_attempts'));
  });
});

describe('the click rule: older than max(retention, attribution window + 1 d)', () => {
  it('is a plain age filter when no offer has a window past the retention', () => {
    expect(clickAgeFilter(now, 90, [{ _id: 'off_a', attribution_window_hours: 24 * 30 }])).toEqual({ created_at: { $lt: daysAgo(90) } });
    // 89 d window + 1 d margin = 90 d: not longer.
    expect(clickAgeFilter(now, 90, [{ _id: 'off_a', attribution_window_hours: 24 * 89 }])).toEqual({ created_at: { $lt: daysAgo(90) } });
  });

  it('keeps the clicks of offers with a longer window for that window + 1 d, grouped by window', () => {
    const filter = clickAgeFilter(now, 10, [
      { _id: 'off_short', attribution_window_hours: 24 },
      { _id: 'off_month', attribution_window_hours: 24 * 30 },
      { _id: 'off_month2', attribution_window_hours: 24 * 30 },
      { _id: 'off_year', attribution_window_hours: 24 * 365 },
    ]);
    expect(filter).toEqual({
      created_at: { $lt: daysAgo(10) },
      $or: [
        { offer_id: { $nin: ['off_month', 'off_month2', 'off_year'] } },
        { offer_id: { $in: ['off_month', 'off_month2'] }, created_at: { $lt: daysAgo(31) } },
        { offer_id: { $in: ['off_year'] }, created_at: { $lt: daysAgo(366) } },
      ],
    });
  });

  it('is null when clicks are kept forever', () => {
    expect(clickAgeFilter(now, null, [])).toBeNull();
  });
});

describe('open conversions', () => {
  it('are processing, pending or held, or approved within the reversal window + 1 d; the rest are closed', () => {
    const since = daysAgo(91);
    expect(openConversionFilter(now, 90)).toEqual({
      $or: [{ status: { $in: ['processing', 'pending', 'held'] } }, { status: 'approved', updated_at: { $gte: since } }],
    });
    expect(closedConversionFilter(now, 90)).toEqual({
      $or: [{ status: { $nin: ['processing', 'pending', 'held', 'approved'] } }, { status: 'approved', updated_at: { $lt: since } }],
    });
  });
});
