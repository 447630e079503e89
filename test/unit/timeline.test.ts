import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { conversionEntries, type LedgerLine } from '../../api/timeline/conversion-entries';
import { deliveryEntries, type DeliveryFacts } from '../../api/timeline/delivery-entries';
import { readHistory, type HistoryStep } from '../../api/timeline/history-steps';
import { maskSecrets } from '../../api/timeline/types';

/** Histories recorded from real runs (the replay fixtures) read into timelines. */
const fixture = (name: string) => {
  const history = historyFromJSON(JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'histories', name), 'utf8')));
  return readHistory(history.events ?? [], defaultPayloadConverter);
};

describe('conversion timeline from a recorded history', () => {
  const steps = fixture('conversion-pending-approved-reversed.json');
  const conversionId = (steps[0] as Extract<HistoryStep, { type: 'started' }>).input[0] as { conversionId: string };
  const ledger: LedgerLine[] = [
    { seq: 1, account: 'affiliate_payable', amount_minor: 1200, currency: 'USD' },
    { seq: 1, account: 'advertiser_receivable', amount_minor: 1800, currency: 'USD' },
    { seq: 2, account: 'affiliate_payable', amount_minor: -1200, currency: 'USD' },
    { seq: 2, account: 'advertiser_receivable', amount_minor: -1800, currency: 'USD' },
  ];
  const entries = conversionEntries(steps, {
    workflowId: `conversion-${conversionId.conversionId}`,
    source: 'conversion',
    ledger,
    pending: [],
  });

  it('tells the story in order: received, rules, verdict, attribution, caps, each change with its actor and ledger lines, the end', () => {
    expect(entries.map((e) => e.kind)).toEqual([
      'received',
      'fraud_check',
      'fraud_check',
      'fraud_check',
      'fraud_verdict',
      'attribution',
      'cap',
      'status_change',
      'ledger',
      'status_request',
      'status_change',
      'ledger',
      'wait',
      'status_request',
      'status_change',
      'ledger',
      'cap',
      'workflow',
    ]);
    const times = entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('names who made each status change and books the ledger lines of that change', () => {
    const changes = entries.filter((e) => e.kind === 'status_change').map((e) => e.title);
    expect(changes).toEqual([
      'processing → pending by system',
      'pending → approved by advertiser: advertiser_postback',
      'approved → reversed by ops: chargeback',
    ]);
    const booked = entries.filter((e) => e.kind === 'ledger').map((e) => e.title);
    expect(booked).toEqual([
      'ledger: nothing to book for this change',
      'ledger: affiliate_payable +12.00 USD, advertiser_receivable +18.00 USD',
      'ledger: affiliate_payable -12.00 USD, advertiser_receivable -18.00 USD',
    ]);
  });

  it('shows the inbound parameters and the attribution in money, not minor units', () => {
    expect(entries[0]!.title).toContain('txid order-77');
    expect(entries[0]!.title).toContain('amount 120.00');
    expect(entries.find((e) => e.kind === 'attribution')!.title).toContain('payout 12.00 USD, revenue 18.00 USD');
  });
});

describe('conversion timeline from a history with local activities (markers keep no input)', () => {
  const entries = conversionEntries(fixture('conversion-local-held-approved-reversed.json'), {
    workflowId: 'conversion-cv_local',
    source: 'conversion',
    ledger: [],
    pending: [],
  });

  it('reads each step from its marker: rules, hold, attribution, caps, changes, deliveries planned', () => {
    const titles = entries.map((e) => `${e.kind}: ${e.title}`);
    expect(titles).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^fraud_check: fraud rule require_same_ip .*: failed, conversion came from 203\.0\.113\.9/),
        'fraud_verdict: fraud screening: hold for review (ip_mismatch)',
        expect.stringMatching(/^attribution: attributed to affiliate aff_\w+ on offer off_\w+: payout 5\.00 USD, revenue 8\.00 USD$/),
        expect.stringMatching(/^cap: reserved 1 cap slot\(s\)/),
        'status_change: held → approved by ops: reviewed',
        expect.stringMatching(/^delivery_planned: event approved: 1 affiliate postback\(s\) planned/),
        'status_change: approved → reversed by ops: chargeback',
        'cap: released 1 cap slot(s)',
        expect.stringMatching(/^delivery_planned: event reversed: 1 affiliate postback\(s\) planned/),
      ]),
    );
    expect(entries.filter((e) => e.kind === 'attribution' || e.kind === 'cap').every((e) => e.duration_ms === null)).toBe(true);
  });
});

describe('conversion timeline: retries, running steps and refusals', () => {
  const base = { workflowId: 'conversion-cv_x', source: 'conversion' as const, ledger: [] };

  it('shows a step that succeeded after failures as a retry, with the last error', () => {
    const steps: HistoryStep[] = [
      {
        type: 'activity',
        eventId: 5,
        name: 'releaseCaps',
        local: false,
        input: { reservations: [] },
        scheduledAt: 1_000,
        startedAt: 9_000,
        closedAt: 9_010,
        attempt: 3,
        state: 'completed',
        result: undefined,
        lastFailure: { message: 'connection refused' },
      },
    ];
    const [retry, done] = conversionEntries(steps, { ...base, pending: [] });
    expect(retry).toMatchObject({ kind: 'retry', outcome: 'retrying', attempt: 3 });
    expect(retry!.title).toBe('releaseCaps failed 2 time(s) before it succeeded; last error: connection refused');
    expect(done).toMatchObject({ kind: 'cap', attempt: 3 });
  });

  it('shows a step the server is still retrying, from the pending activity', () => {
    const steps: HistoryStep[] = [
      {
        type: 'activity',
        eventId: 5,
        name: 'attributeConversion',
        local: false,
        input: {},
        scheduledAt: 1_000,
        attempt: 1,
        state: 'scheduled',
      },
    ];
    const [entry] = conversionEntries(steps, {
      ...base,
      pending: [{ name: 'attributeConversion', attempt: 4, lastFailure: 'MongoNetworkError' }],
    });
    expect(entry).toMatchObject({
      outcome: 'retrying',
      attempt: 4,
      title: 'attributeConversion is being retried: attempt 4, last error: MongoNetworkError',
    });
  });

  it('shows an illegal status change as refused', () => {
    const steps: HistoryStep[] = [
      {
        type: 'update',
        eventId: 9,
        name: 'setStatus',
        input: [{ status: 'approved', actor: 'ops' }],
        acceptedAt: 1_000,
        completedAt: 1_050,
        failure: { message: 'cannot change a conversion from rejected to approved', type: 'IllegalTransition' },
      },
    ];
    const [entry] = conversionEntries(steps, { ...base, pending: [] });
    expect(entry).toMatchObject({ kind: 'status_request', outcome: 'failed', duration_ms: 50 });
    expect(entry!.title).toContain('refused, cannot change a conversion from rejected to approved');
  });
});

describe('conversion timeline: what a wait means comes from the recorded transitions', () => {
  const base = { workflowId: 'conversion-cv_h', source: 'conversion' as const, ledger: [], pending: [] };
  const held = {
    seq: 0,
    from: 'processing',
    to: 'held',
    actor: 'system',
    reason: 'approves after 1.1 h unless declined',
    reasonCodes: ['hold_period'],
  };
  const steps = (transition: typeof held): HistoryStep[] => [
    {
      type: 'activity',
      eventId: 5,
      name: 'recordTransition',
      local: true,
      scheduledAt: 1_000,
      startedAt: 1_000,
      closedAt: 1_000,
      attempt: 1,
      state: 'completed',
      result: { bookedMinor: 0, transition },
    },
    { type: 'timer', eventId: 7, startedAt: 1_000, durationMs: 3_960_000, endedAt: 3_961_000, state: 'fired' },
  ];

  it('a timer after a change to held for hold_period is the hold period, whatever its length in floating point', () => {
    // 1.1 h is 3960000.0000000005 ms in floating point, and the recorded timer is 3960000 ms.
    const wait = conversionEntries(steps(held), base).find((e) => e.kind === 'wait');
    expect(wait!.title).toBe('hold period of 1.1 h: elapsed');
  });

  it('a timer after a change to approved is the reversal window', () => {
    const approved = { ...held, from: 'pending', to: 'approved', reason: 'ok', reasonCodes: [] };
    const wait = conversionEntries(steps(approved), base).find((e) => e.kind === 'wait');
    expect(wait!.title).toBe('reversal window of 1.1 h: closed');
  });
});

describe('late status change timeline from recorded histories', () => {
  it.each(['late-reversed-no-cap.json', 'late-reversed-with-cap.json'])('%s: the request, the change, the caps and the end', (file) => {
    const entries = conversionEntries(fixture(file), {
      workflowId: 'conversion-cv_late-late-reversed',
      source: 'late_status_change',
      ledger: [],
      pending: [],
    });
    const titles = entries.map((e) => `${e.kind}: ${e.title}`);
    expect(titles[0]).toBe('status_request: late status change asked for: reversed by ops (the conversion workflow had closed)');
    expect(titles).toContain('status_change: approved → reversed by ops: chargeback');
    expect(titles).toContain('workflow: workflow closed with the conversion reversed');
    if (file.includes('with-cap')) expect(titles).toContain('cap: released 1 cap slot(s)');
  });
});

describe('delivery timeline', () => {
  it('shows the failed attempts, the waits and the success of a retried delivery', () => {
    const entries = deliveryEntries(fixture('delivery-local-retried.json'), {
      workflowId: 'delivery-dl_2',
      delivery: { id: 'dl_2', event: 'approved', endpoint_id: 'ep_2', attempts: [] },
      pending: [],
    });
    expect(entries.map((e) => `${e.kind} ${e.outcome}`)).toEqual([
      'delivery_started info',
      'delivery_attempt failed',
      'delivery_wait info',
      'delivery_attempt failed',
      'delivery_wait info',
      'delivery_attempt ok',
      'delivery_result ok',
    ]);
    expect(entries.filter((e) => e.kind === 'delivery_attempt').map((e) => e.title)).toEqual([
      'attempt 1: HTTP 500, will retry',
      'attempt 2: HTTP 503, will retry',
      'attempt 3: HTTP 200, delivered',
    ]);
  });

  it('shows each attempt with the receiver’s answer from its attempt row', () => {
    const steps = fixture('delivery-succeeded.json');
    const entries = deliveryEntries(steps, {
      workflowId: 'delivery-dl_1',
      delivery: {
        id: 'dl_1',
        event: 'approved',
        endpoint_id: 'ep_1',
        attempts: [
          {
            run: 0,
            attempt: 1,
            method: 'GET',
            request_url: 'http://127.0.0.1/pb?token=***',
            outcome: 'success',
            status_code: 200,
            duration_ms: 3,
            response_excerpt: 'ok',
          },
        ],
      },
      pending: [],
    });
    expect(entries.map((e) => e.kind)).toEqual(['delivery_started', 'delivery_attempt', 'delivery_result']);
    expect(entries[1]).toMatchObject({
      title: 'attempt 1: HTTP 200, delivered',
      outcome: 'ok',
      detail: { status_code: 200, response_excerpt: 'ok', request_url: 'http://127.0.0.1/pb?token=***' },
    });
    expect(entries[2]!.title).toBe('delivered after 1 attempt(s)');
  });
});

describe('timeline of a delivery whose first attempt was made inside the conversion workflow', () => {
  const facts = (steps: HistoryStep[], attempts: DeliveryFacts['attempts'] = []): DeliveryFacts => {
    const planned = steps.find((s) => s.type === 'activity' && s.name === 'firstDeliveryAttempt') as { result: { deliveryId: string } };
    return { id: planned.result.deliveryId, event: 'approved', endpoint_id: 'pb_1', attempts };
  };

  it('delivered on that attempt: started, the attempt with its row and the result, all from the conversion workflow', () => {
    const steps = fixture('conversion-first-attempt-delivered.json');
    const delivery = facts(steps, [
      {
        run: 0,
        attempt: 1,
        method: 'GET',
        request_url: 'http://127.0.0.1/pb?token=***',
        outcome: 'success',
        status_code: 200,
        response_excerpt: 'ok',
      },
    ]);
    const entries = conversionEntries(steps, {
      workflowId: 'conversion-cv_1',
      source: 'conversion',
      ledger: [],
      pending: [],
      deliveries: [delivery],
    });
    expect(entries.map((e) => e.kind)).toEqual([
      'received',
      'fraud_check',
      'fraud_check',
      'fraud_check',
      'fraud_verdict',
      'attribution',
      'cap',
      'status_change',
      'ledger',
      'delivery_planned',
      'delivery_started',
      'delivery_attempt',
      'delivery_result',
      'wait',
    ]);
    const delivered = entries.filter((e) => e.kind.startsWith('delivery_') && e.kind !== 'delivery_planned');
    expect(delivered.map((e) => `${e.source} ${e.title}`)).toEqual([
      `conversion delivery ${delivery.id} of event approved to endpoint pb_1, first attempt inside the conversion workflow`,
      'conversion attempt 1: HTTP 200, delivered',
      'conversion delivered after 1 attempt(s)',
    ]);
    expect(delivered[1]!.detail).toMatchObject({ status_code: 200, response_excerpt: 'ok', request_url: 'http://127.0.0.1/pb?token=***' });
    expect(entries.at(-1)!.title).toBe('reversal window of 90 days: still open');
    const times = entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('failed on that attempt: the conversion workflow tells attempt 1, the retry workflow goes on from attempt 2 to the end', () => {
    const steps = fixture('conversion-first-attempt-failed.json');
    const delivery = facts(steps);
    const parent = conversionEntries(steps, {
      workflowId: 'conversion-cv_2',
      source: 'conversion',
      ledger: [],
      pending: [],
      deliveries: [delivery],
    });
    expect(parent.filter((e) => e.kind.startsWith('delivery_')).map((e) => `${e.kind} ${e.outcome} ${e.title}`)).toEqual([
      expect.stringMatching(/^delivery_planned info event approved: 1 affiliate postback\(s\) planned/),
      `delivery_started info delivery ${delivery.id} of event approved to endpoint pb_1, first attempt inside the conversion workflow`,
      'delivery_attempt failed attempt 1: HTTP 500, will retry',
    ]);
    const child = deliveryEntries(fixture('delivery-continued-after-first-attempt.json'), {
      workflowId: `delivery-${delivery.id}`,
      delivery,
      pending: [],
    });
    expect(child.map((e) => `${e.kind} ${e.outcome} ${e.title}`)).toEqual([
      expect.stringMatching(
        new RegExp(`^delivery_started info delivery ${delivery.id} of event approved to endpoint pb_1: retries, going on from attempt 2`),
      ),
      expect.stringMatching(/^delivery_wait info waiting \d+ ms before the next attempt$/),
      'delivery_attempt ok attempt 2: HTTP 200, delivered',
      'delivery_result ok delivered after 2 attempt(s)',
    ]);
  });
});

describe('maskSecrets', () => {
  it('masks secret-looking keys at any depth and leaves the rest', () => {
    expect(
      maskSecrets({
        click_id: 'c',
        token: 't',
        nested: [{ signing_secret: 's', Authorization: 'Bearer x', amount: '1' }],
      }),
    ).toEqual({ click_id: 'c', token: '***', nested: [{ signing_secret: '***', Authorization: '***', amount: '1' }] });
  });
});
