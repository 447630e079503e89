import { parse } from 'csv-parse/sync';
import { conversionWorkflowId, deliveryWorkflowId } from '../../domain/workflow-ids';
import { startReceiver, type Receiver } from '../support/receiver';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

const { stack, f } = useTestStack('convsearch');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

interface Page {
  data: { id: string; status: string; txid?: string }[];
  next_offset: number | null;
  next_cursor: string | null;
  total?: number;
}

const search = async (query: Record<string, string>) => {
  const res = await f.admin('get', '/api/conversions').query(query);
  expect(res.status).toBe(200);
  return res.body as Page;
};
const ids = (page: Page) => page.data.map((c) => c.id).sort();

/** The seeded set: projection rows written directly, so hundreds cost no workflows (the list reads only these). */
const ADV = 'adv_bulk';
const BASE = Date.UTC(2026, 0, 10);
const statuses = ['approved', 'pending', 'held', 'rejected'] as const;
interface Seeded {
  _id: string;
  status: string;
  offer_id: string;
  affiliate_id: string;
  goal: string;
  reason_codes: string[];
  received_at: Date;
  txid?: string;
}
let seeded: Seeded[] = [];

async function seedBulk(n: number) {
  seeded = Array.from({ length: n }, (_, i) => ({
    _id: `cv_bulk${String(i).padStart(4, '0')}`,
    status: statuses[i % statuses.length]!,
    offer_id: i % 2 ? 'off_odd' : 'off_even',
    affiliate_id: `aff_${i % 3}`,
    goal: i % 5 === 0 ? 'lead' : 'sale',
    reason_codes: i % 7 === 0 ? ['too_fast'] : [],
    // Groups of three share a millisecond: the keyset must tell them apart by id.
    received_at: new Date(BASE + Math.floor(i / 3) * 60_000),
    ...(i === 1 ? { txid: 'order, "quoted"\nsecond line' } : i === 2 ? { txid: '=HYPERLINK("http://x")' } : {}),
  }));
  await stack.models.Conversion.insertMany(
    seeded.map((s) => ({
      ...s,
      dedupe_key: `bulk:${s._id}`,
      workflow_id: conversionWorkflowId(s._id),
      advertiser_id: ADV,
      click_id: `clk_${s._id}`,
      currency: 'USD',
      payout_minor: 1250,
      revenue_minor: 2000,
      subs: { sub1: 'a,b' },
      status_seq: 0,
      updated_at: s.received_at,
    })),
  );
  // Deliveries: every tenth conversion has a dead-lettered one, every fourth a succeeded one.
  const deliveries = seeded.flatMap((s, i) =>
    [...(i % 10 === 0 ? ['dead_lettered'] : []), ...(i % 4 === 0 ? ['succeeded'] : [])].map((status) => ({
      _id: `dl_${s._id}_${status}`,
      event_id: `evt_${s._id}_${status}`,
      event: 'approved',
      conversion_id: s._id,
      affiliate_id: s.affiliate_id,
      endpoint_id: 'pe_bulk',
      offer_id: s.offer_id,
      status,
      values: {},
      occurred_at: s.received_at,
    })),
  );
  await stack.models.Delivery.insertMany(deliveries);
}

describe('GET /api/conversions: search by any id', () => {
  it('finds a conversion by each id it has, exactly', async () => {
    const s = await f.setup();
    await f.endpoint(s.affiliate.id, { url: `${receiver.url}/pb?e={event_id}`, events: ['approved'] });
    const id = await f.convert(s, { txid: 'ORDER-77' });
    const [delivery] = await waitFor('the delivery to succeed', () => f.deliveriesIn(id, 'succeeded'));

    const kinds: Record<string, string> = {
      'conversion id': id,
      'click id': s.clickId,
      'advertiser transaction id': 'ORDER-77',
      'delivery id': delivery!._id,
      'delivery event id': delivery!.event_id,
      'conversion workflow id': conversionWorkflowId(id),
      'late status change workflow id': `${conversionWorkflowId(id)}-late-reversed`,
      'delivery workflow id': deliveryWorkflowId(delivery!._id),
    };
    for (const [kind, q] of Object.entries(kinds)) {
      const page = await search({ q });
      expect({ kind, found: ids(page) }).toEqual({ kind, found: [id] });
    }
    // Exact matches only: a prefix or another case finds nothing.
    expect((await search({ q: 'ORDER-7' })).data).toEqual([]);
    expect((await search({ q: 'order-77' })).data).toEqual([]);
    expect((await search({ q: 'cv_nothing_like_it' })).data).toEqual([]);
    // The id box narrows together with the other filters.
    expect(ids(await search({ q: s.clickId, status: 'approved' }))).toEqual([id]);
    expect((await search({ q: s.clickId, status: 'declined' })).data).toEqual([]);
  });
});

describe('GET /api/conversions: filters and keyset paging', () => {
  beforeAll(async () => {
    await seedBulk(301);
  });

  const expected = (pick: (s: Seeded, i: number) => boolean) =>
    seeded
      .filter(pick)
      .map((s) => s._id)
      .sort();

  /** Every page of a search through next_cursor, with the page count. */
  async function allPages(query: Record<string, string>) {
    const rows: Page['data'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await search({ ...query, ...(cursor ? { cursor } : {}) });
      rows.push(...page.data);
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor && pages < 1000);
    return { rows, pages };
  }

  it('applies each filter, alone and together', async () => {
    const all = { advertiser_id: ADV, limit: '500' };
    expect(ids(await search(all))).toEqual(expected(() => true));
    expect(ids(await search({ ...all, status: 'held' }))).toEqual(expected((s) => s.status === 'held'));
    expect(ids(await search({ ...all, offer_id: 'off_odd' }))).toEqual(expected((s) => s.offer_id === 'off_odd'));
    expect(ids(await search({ ...all, affiliate_id: 'aff_2' }))).toEqual(expected((s) => s.affiliate_id === 'aff_2'));
    expect(ids(await search({ ...all, goal: 'lead' }))).toEqual(expected((s) => s.goal === 'lead'));
    expect(ids(await search({ ...all, reason_code: 'too_fast' }))).toEqual(expected((s) => s.reason_codes.includes('too_fast')));
    expect(ids(await search({ ...all, delivery_state: 'dead_lettered' }))).toEqual(expected((_, i) => i % 10 === 0));
    expect(ids(await search({ ...all, delivery_state: 'succeeded', affiliate_id: 'aff_1' }))).toEqual(
      expected((s, i) => i % 4 === 0 && s.affiliate_id === 'aff_1'),
    );
    const from = new Date(BASE + 10 * 60_000).toISOString();
    const to = new Date(BASE + 20 * 60_000).toISOString();
    expect(ids(await search({ ...all, from, to }))).toEqual(
      expected((s) => s.received_at >= new Date(from) && s.received_at < new Date(to)),
    );
    expect(ids(await search({ ...all, status: 'approved', offer_id: 'off_even', goal: 'lead', delivery_state: 'dead_lettered' }))).toEqual(
      expected((s, i) => s.status === 'approved' && s.offer_id === 'off_even' && s.goal === 'lead' && i % 10 === 0),
    );
    expect(ids(await search({ ...all, q: 'evt_cv_bulk0020_dead_lettered', delivery_state: 'dead_lettered' }))).toEqual(['cv_bulk0020']);
    expect((await search({ ...all, q: 'evt_cv_bulk0020_dead_lettered', delivery_state: 'pending' })).data).toEqual([]);
  });

  it('pages through every row exactly once with next_cursor, in order, with no cap', async () => {
    const { rows, pages } = await allPages({ advertiser_id: ADV, limit: '7' });
    expect(pages).toBe(Math.ceil(301 / 7));
    expect(rows).toHaveLength(301);
    expect(new Set(rows.map((r) => r.id)).size).toBe(301);
    // Newest first, then by id.
    const order = [...seeded].sort((a, b) => b.received_at.getTime() - a.received_at.getTime() || a._id.localeCompare(b._id));
    expect(rows.map((r) => r.id)).toEqual(order.map((s) => s._id));

    const first = await search({ advertiser_id: ADV, status: 'pending', limit: '500', with_total: 'true' });
    expect(first.total).toBe(expected((s) => s.status === 'pending').length);
    expect(first.next_cursor).toBeNull();
  });

  it('keeps a page stable when newer rows arrive, and offset still works', async () => {
    const first = await search({ advertiser_id: ADV, offer_id: 'off_even', limit: '10' });
    const second = await search({ advertiser_id: ADV, offer_id: 'off_even', limit: '10', cursor: first.next_cursor! });
    const late = { ...seeded[0]!, _id: 'cv_bulk_late', received_at: new Date(BASE + 10 * 86_400_000) };
    await stack.models.Conversion.create({
      ...late,
      dedupe_key: 'bulk:late',
      workflow_id: conversionWorkflowId(late._id),
      advertiser_id: ADV,
      click_id: 'clk_late',
      status_seq: 0,
      updated_at: late.received_at,
    });
    try {
      const again = await search({ advertiser_id: ADV, offer_id: 'off_even', limit: '10', cursor: first.next_cursor! });
      expect(again.data.map((r) => r.id)).toEqual(second.data.map((r) => r.id));
    } finally {
      await stack.models.Conversion.deleteOne({ _id: late._id });
    }

    const byOffset = await search({ advertiser_id: ADV, offer_id: 'off_even', limit: '10', offset: '10' });
    expect(byOffset.data.map((r) => r.id)).toEqual(second.data.map((r) => r.id));
    expect(byOffset.next_offset).toBe(20);
  });

  it('exports the whole filtered set as CSV, quoted, equal to the total', async () => {
    const queries: Record<string, string>[] = [
      { advertiser_id: ADV },
      { advertiser_id: ADV, status: 'approved', delivery_state: 'succeeded' },
    ];
    for (const query of queries) {
      const { total } = await search({ ...query, with_total: 'true', limit: '1' });
      const res = await f.admin('get', '/api/conversions/export.csv').query(query);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="conversions-.*\.csv"$/);
      const records = parse(res.text, { columns: true }) as Record<string, string>[];
      expect(records).toHaveLength(total!);
      expect(new Set(records.map((r) => r.conversion_id)).size).toBe(total);
    }
    const res = await f.admin('get', '/api/conversions/export.csv').query({ advertiser_id: ADV });
    const records = parse(res.text, { columns: true }) as Record<string, string>[];
    const byId = new Map(records.map((r) => [r.conversion_id, r]));
    // Commas, quotes and a line break survive the round trip; a formula is made inert.
    expect(byId.get('cv_bulk0001')).toMatchObject({ txid: 'order, "quoted"\nsecond line', sub1: 'a,b', payout: '12.50', revenue: '20.00' });
    expect(byId.get('cv_bulk0002')!.txid).toBe('\'=HYPERLINK("http://x")');
    expect(res.text).toContain('"order, ""quoted""\nsecond line"');
  });

  it('refuses a bad filter with 400 naming the field, on the list and the export', async () => {
    const bad: [Record<string, string>, string][] = [
      [{ status: 'bogus' }, 'status'],
      [{ delivery_state: 'lost' }, 'delivery_state'],
      [{ reason_code: 'no spaces' }, 'reason_code'],
      [{ from: '2026-01-01' }, 'from'],
      [{ offer_id: 'off with space' }, 'offer_id'],
      [{ q: '   ' }, 'q'],
      [{ cursor: 'not a cursor!' }, 'cursor'],
      [{ cursor: 'bm90LWpzb24' }, 'cursor'],
      [{ cursor: 'abc', offset: '5' }, 'offset'],
      [{ with_total: 'yes' }, 'with_total'],
    ];
    for (const [query, field] of bad) {
      const res = await f.admin('get', '/api/conversions').query(query);
      expect({ query, status: res.status, fields: res.body.issues?.map((i: { path: string }) => i.path) }).toEqual({
        query,
        status: 400,
        fields: [field],
      });
    }
    const res = await f.admin('get', '/api/conversions/export.csv').query({ goal: '' });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual(['goal']);
  });
});
