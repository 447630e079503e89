import { lastAnswer, renderSummary, renderTimeline, type HistoryEntry } from '../../cli/commands/conversion';
import { renderDeliveryList } from '../../cli/commands/deliveries';
import { renderBulk } from '../../cli/commands/redeliver';
import { renderReport, type Report } from '../../cli/commands/report';
import { describeApiError } from '../../cli/errors';
import { formatDuration, formatElapsed, formatRate, formatTime } from '../../cli/format';

/** Cell texts of a rendered table, row by row (borders stripped), to assert on content, not layout. */
const cells = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) =>
      line
        .split('│')
        .slice(1, -1)
        .map((c) => c.trim()),
    );

describe('cli formatting', () => {
  it('formats durations from milliseconds to days', () => {
    expect(
      [0, 12, 999, 1000, 1250, 10_500, 59_999, 60_000, 125_000, 3_600_000, 3_725_000, 86_400_000, 2 * 86_400_000 + 4 * 3_600_000].map(
        formatDuration,
      ),
    ).toEqual([
      '0 ms',
      '12 ms',
      '999 ms',
      '1 s',
      '1.25 s',
      '10.5 s',
      '60 s',
      '1 m 00 s',
      '2 m 05 s',
      '1 h 00 m',
      '1 h 02 m',
      '1 d 00 h',
      '2 d 04 h',
    ]);
    expect([null, undefined, NaN].map(formatDuration)).toEqual(['', '', '']);
    expect(formatElapsed(1250)).toBe('+1.25 s');
    expect(formatElapsed(-5)).toBe('-5 ms'); // an entry before the first one (clock skew) stays visible
  });

  it('formats times in UTC and rates as percent', () => {
    expect(formatTime('2026-11-25T10:00:00.123Z')).toBe('2026-11-25 10:00:00.123');
    expect(formatTime('2026-11-25T11:00:00.123+01:00', { millis: false })).toBe('2026-11-25 10:00:00');
    expect(formatTime('not a date')).toBe('not a date');
    expect(formatTime(undefined)).toBe('');
    expect([0.0583, 1, 0, null].map(formatRate)).toEqual(['5.83 %', '100 %', '0 %', '–']);
  });

  it('renders a timeline with elapsed time, step duration, attempt and outcome', () => {
    const entries: HistoryEntry[] = [
      {
        at: '2026-11-25T10:00:00.000Z',
        duration_ms: null,
        kind: 'received',
        outcome: 'info',
        title: 'postback received',
      },
      {
        at: '2026-11-25T10:00:00.040Z',
        duration_ms: 12,
        kind: 'fraud_check',
        outcome: 'ok',
        title: 'fraud rules passed',
      },
      {
        at: '2026-11-25T10:00:03.500Z',
        duration_ms: 1500,
        kind: 'delivery_attempt',
        outcome: 'retrying',
        attempt: 2,
        title: 'GET https://aff.example/pb → 503',
      },
    ];
    expect(cells(renderTimeline(entries))).toEqual([
      ['time (UTC)', '+elapsed', 'took', 'kind', 'outcome', 'title'],
      ['2026-11-25 10:00:00.000', '+0 ms', '', 'received', 'info', 'postback received'],
      ['2026-11-25 10:00:00.040', '+40 ms', '12 ms', 'fraud_check', 'ok', 'fraud rules passed'],
      ['2026-11-25 10:00:03.500', '+3.5 s', '1.5 s', 'delivery_attempt #2', 'retrying', 'GET https://aff.example/pb → 503'],
    ]);
  });

  it('renders a summary without the fields a conversion does not have', () => {
    const text = renderSummary(
      {
        id: 'cv_1',
        status: 'approved',
        reason_codes: [],
        offer_id: 'off_1',
        goal: 'sale',
        payout: '12.00',
        currency: 'USD',
        amount: null,
        created_at: '2026-11-25T10:00:00.000Z',
      },
      { conversion_id: 'cv_1', workflow_id: 'conversion-cv_1', workflow_status: 'COMPLETED', entries: [] },
    );
    expect(cells(text)).toEqual([
      ['conversion', 'cv_1'],
      ['status', 'approved'],
      ['workflow', 'conversion-cv_1  COMPLETED'],
      ['offer', 'off_1  goal sale'],
      ['payout', '12.00 USD'],
      ['received (UTC)', '2026-11-25 10:00:00.000'],
    ]);
  });

  it("shows a delivery's last answer as the status code, else the first line of the error", () => {
    expect(lastAnswer({ id: 'd', status: 'dead_lettered', last_status_code: 503, last_error: 'ignored' })).toBe('503');
    expect(lastAnswer({ id: 'd', status: 'dead_lettered', last_error: `connect ECONNREFUSED\nstack…` })).toBe('connect ECONNREFUSED');
    expect(lastAnswer({ id: 'd', status: 'failed', last_error: 'x'.repeat(100) })).toHaveLength(60);
  });

  it('lists deliveries and says how to get the next page', () => {
    const text = renderDeliveryList({
      data: [
        {
          id: 'dlv_1',
          status: 'dead_lettered',
          event: 'approved',
          conversion_id: 'cv_1',
          affiliate_id: 'aff_1',
          run: 0,
          attempt_count: 4,
          last_status_code: 503,
          created_at: '2026-11-25T10:00:00.000Z',
        },
      ],
      next_offset: 50,
    });
    expect(cells(text)[1]).toEqual(['dlv_1', '2026-11-25 10:00:00', 'dead_lettered', 'approved', 'cv_1', 'aff_1', '0', '4', '503']);
    expect(text).toContain('--offset 50');
    expect(renderDeliveryList({ data: [], next_offset: null })).toBe('No deliveries match.');
  });

  it('says when a bulk redelivery skipped or was truncated', () => {
    expect(renderBulk({ matched: 2, started: 2, truncated: false }, { affiliate_id: 'aff_1' })).toBe(
      'Matched 2 deliveries (status=dead_lettered, affiliate_id=aff_1); started 2 redeliveries.',
    );
    const partial = renderBulk({ matched: 10_000, started: 9_999, truncated: true }, { status: 'failed' });
    expect(partial).toContain('(status=failed)');
    expect(partial).toContain('1 skipped');
    expect(partial).toContain('run the same command again');
  });

  it('renders a report with the grouped keys, only the statuses that occur, and totals per currency', () => {
    const figures = {
      clicks: 120,
      trafficback: 9,
      trafficback_reasons: { cap_reached: 9 },
      payout: '12.50',
      revenue: '20.00',
      margin: '7.50',
      conversion_rate: 0.0583,
      epc: '0.10',
    };
    const report: Report = {
      group_by: ['day', 'offer'],
      from: '2026-11-01',
      to: '2026-12-01',
      timezone: 'Europe/Berlin',
      rows: [
        {
          day: '2026-11-24',
          offer_id: 'off_1',
          currency: 'EUR',
          ...figures,
          conversions: { total: 7, approved: 3, pending: 4, held: 0, declined: 0, reversed: 0, rejected: 0 },
        },
        {
          day: '2026-11-25',
          offer_id: 'off_2',
          currency: 'USD',
          ...figures,
          clicks: 0,
          conversion_rate: null,
          epc: null,
          conversions: { total: 1, approved: 1, pending: 0, held: 0, declined: 0, reversed: 0, rejected: 0 },
        },
      ],
      totals: [
        {
          currency: 'EUR',
          ...figures,
          conversions: { total: 7, approved: 3, pending: 4, held: 0, declined: 0, reversed: 0, rejected: 0 },
        },
        {
          currency: 'USD',
          ...figures,
          clicks: 0,
          conversion_rate: null,
          epc: null,
          conversions: { total: 1, approved: 1, pending: 0, held: 0, declined: 0, reversed: 0, rejected: 0 },
        },
      ],
    };
    const text = renderReport(report);
    expect(text.split('\n')[0]).toBe('Report by day, offer, from 2026-11-01 to 2026-12-01 (Europe/Berlin)');
    const rows = cells(text);
    expect(rows[0]).toEqual([
      'day',
      'offer_id',
      'currency',
      'clicks',
      'trafficback',
      'conversions',
      'approved',
      'pending',
      'payout',
      'revenue',
      'margin',
      'CR',
      'EPC',
    ]);
    expect(rows[1]).toEqual(['2026-11-24', 'off_1', 'EUR', '120', '9', '7', '3', '4', '12.50', '20.00', '7.50', '5.83 %', '0.10']);
    expect(rows[2]).toEqual(['2026-11-25', 'off_2', 'USD', '0', '9', '1', '1', '0', '12.50', '20.00', '7.50', '–', '–']);
    expect(rows[3]![0]).toBe('totals');
    expect(rows.slice(4).map((r) => r.slice(0, 6))).toEqual([
      ['total', '', 'EUR', '120', '9', '7'],
      ['total', '', 'USD', '0', '9', '1'],
    ]);
    expect(renderReport({ ...report, rows: [], totals: [] })).toContain('No clicks, conversions or bookings in this period.');
  });

  it('shows a report grouped by goal with "–" where a figure has no meaning, and statuses beyond the known ones last', () => {
    const counts = {
      total: 2,
      approved: 0,
      pending: 0,
      held: 0,
      declined: 0,
      reversed: 0,
      rejected: 0,
      processing: 1,
      disputed: 1,
    };
    const text = renderReport({
      group_by: ['goal'],
      rows: [
        {
          goal: null,
          currency: null,
          clicks: null,
          trafficback: null,
          trafficback_reasons: null,
          conversions: counts,
          payout: null,
          revenue: null,
          margin: null,
          conversion_rate: null,
          epc: null,
        },
      ],
      totals: [],
    });
    expect(text.split('\n')[0]).toBe('Report by goal');
    expect(cells(text)).toEqual([
      ['goal', 'currency', 'clicks', 'trafficback', 'conversions', 'processing', 'disputed', 'payout', 'revenue', 'margin', 'CR', 'EPC'],
      ['–', '–', '–', '–', '2', '1', '1', '–', '–', '–', '–', '–'],
      ['totals', 'currency', 'clicks', 'trafficback', 'conversions', 'processing', 'disputed', 'payout', 'revenue', 'margin', 'CR', 'EPC'],
    ]);
  });

  it('shows the sub ids a conversion carries', () => {
    expect(cells(renderSummary({ id: 'cv_1', status: 'pending', subs: { sub1: 'banner-1', sub3: 'x y' } }, undefined))).toEqual([
      ['conversion', 'cv_1'],
      ['status', 'pending'],
      ['subs', 'sub1=banner-1 sub3=x y'],
    ]);
  });

  it('prints an API error with its code, message, and one line per wrong field', () => {
    expect(describeApiError(404, { error: 'not_found', message: 'no conversion with id "cv_x"' }, 'GET /api/conversions/cv_x')).toBe(
      'GET /api/conversions/cv_x → 404 not_found: no conversion with id "cv_x"',
    );
    const invalid = describeApiError(
      400,
      {
        error: 'invalid_request',
        message: 'limit: too big; from: must be an ISO 8601 date-time',
        issues: [
          { path: 'limit', message: 'too big' },
          { path: 'from', message: 'must be an ISO 8601 date-time' },
        ],
      },
      'GET /api/deliveries',
    );
    expect(invalid.split('\n')).toEqual([
      'GET /api/deliveries → 400 invalid_request:',
      '  limit: too big',
      '  from: must be an ISO 8601 date-time',
    ]);
  });
});
