import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { startReceiver, type Receiver } from '../support/receiver';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

/**
 * Subscriptions receive their events (issue 16, parts B–D): signed (verified with the published
 * `standardwebhooks` library), matching the schema the document publishes under `webhooks`,
 * selected by type and filter, numbered 1..N; strict order through a receiver that fails
 * intermittently; replay of a time range with the original ids; push equals the pull feed.
 */
const { f } = useTestStack('subscription_delivery');

interface Pushed {
  id: string;
  type: string;
  sequence: number;
  data: Record<string, unknown>;
}
const bodies = (r: Receiver): Pushed[] => r.requests.map((q) => JSON.parse(q.body) as Pushed);
const acknowledged = (r: Receiver, statuses: number[]) =>
  r.requests.flatMap((q, i) => (statuses[i] !== undefined && statuses[i]! < 300 ? [JSON.parse(q.body) as Pushed] : []));

async function subscribe(body: Record<string, unknown>) {
  const res = await f.admin('post', '/api/subscriptions').send(body);
  expect(res.status).toBe(201);
  return res.body as { id: string; signing_secret: string };
}

/** A conversion through the real pipeline, settled (its first status recorded), then `changes` status changes by ops. */
async function conversionWith(s: Awaited<ReturnType<typeof f.setup>>, ...changes: string[]) {
  const id = await f.convert({ clickId: await f.click(s.offer.id, s.affiliate.id), token: s.token });
  await waitFor(`${id} to leave processing`, async () => {
    const res = await f.admin('get', `/api/conversions/${id}`);
    return res.status === 200 && res.body.status !== 'processing' ? true : undefined;
  });
  for (const status of changes) {
    const res = await f.admin('post', `/api/conversions/${id}/status`).send({ status, reason: `to ${status}` });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(status);
  }
  return id;
}

async function webhookSchemas() {
  const doc = (await f.http().get('/openapi.json')).body as {
    webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: object }> } } }>;
    components: object;
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return (type: string) =>
    ajv.compile({ ...doc.webhooks[type]!.post.requestBody.content['application/json']!.schema, components: doc.components });
}

describe('subscriptions receive their events', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(() => receiver.close());

  it('signed, schema-valid, selected by type and content filter, numbered 1..N; the pull feed holds the same ids', async () => {
    const a = await f.setup();
    const b = await f.setup();
    const sub = await subscribe({
      url: `${receiver.url}/crm`,
      event_types: ['conversion.status_changed'],
      filter: { offer_id: a.offer.id },
      headers: { 'x-crm-account': '42' },
    });
    const mine = [await conversionWith(a, 'reversed'), await conversionWith(a)];
    await conversionWith(b, 'reversed'); // another offer: filtered out

    await waitFor('3 events at the receiver', async () => (receiver.requests.length >= 3 ? true : undefined));
    const wh = new Webhook(sub.signing_secret);
    const validator = await webhookSchemas();
    for (const req of receiver.requests) {
      // The library throws on a bad signature or a stale timestamp.
      const verified = wh.verify(req.body, req.headers as Record<string, string>) as Pushed;
      expect(req.headers['webhook-id']).toBe(verified.id);
      expect(req.headers['x-crm-account']).toBe('42');
      expect(req.headers['content-type']).toBe('application/json');
      const validate = validator(verified.type);
      if (!validate(verified)) throw new Error(`schema: ${JSON.stringify(validate.errors)}`);
    }
    const got = bodies(receiver);
    expect(got.map((e) => e.type)).toEqual(['conversion.status_changed', 'conversion.status_changed', 'conversion.status_changed']);
    expect(got.every((e) => e.data.offer_id === a.offer.id)).toBe(true);
    expect(new Set(got.map((e) => e.data.conversion_id))).toEqual(new Set(mine));
    expect(got.map((e) => e.sequence).sort()).toEqual([1, 2, 3]);

    // The same events, pulled: the same ids.
    const pulled = await f.admin('get', '/api/events').query({ types: 'conversion.status_changed', limit: 1000 });
    const pulledMine = (pulled.body.data as Pushed[]).filter((e) => e.data.offer_id === a.offer.id).map((e) => e.id);
    expect(new Set(pulledMine)).toEqual(new Set(got.map((e) => e.id)));

    // Rows like an endpoint's: one delivery per event, succeeded, with its attempt rows.
    const stored = await f.admin('get', `/api/subscriptions/${sub.id}`);
    expect(stored.body).toMatchObject({ active: true, paused: false });
  });

  it('strict order: through a receiver that fails intermittently, acknowledged sequence numbers are 1..N in order, no gaps', async () => {
    const s = await f.setup();
    const statuses: number[] = [];
    // Fail every other request, then two in a row: retries (200 ms, 400 ms …) must hold the next event back.
    const script = [503, 200, 503, 503, 200, 200, 503, 200, 500, 200, 200, 503, 200, 200, 200, 200, 200, 200, 200, 200];
    receiver.reply(...script.map((status) => ({ status })));
    receiver.otherwise({ status: 200 });
    const sub = await subscribe({
      url: `${receiver.url}/ordered`,
      event_types: ['conversion.*'],
      filter: { offer_id: s.offer.id },
      strict_order: true,
    });
    expect(sub.id).toBeDefined();
    for (let i = 0; i < 4; i++) await conversionWith(s, 'reversed');
    // Each conversion: created, status_changed; its reversal: status_changed, reversed → 4 events each.
    const total = 16;
    const acked = await waitFor(
      `${total} events acknowledged`,
      async () => {
        statuses.length = 0;
        receiver.requests.forEach((_, i) => statuses.push(script[i] ?? 200));
        const ok = acknowledged(receiver, statuses);
        return ok.length >= total ? ok : undefined;
      },
      60_000,
    );
    expect(acked.map((e) => e.sequence)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // In arrival order, a sequence number is only ever followed by itself (a retry) or the next one.
    const arrived = bodies(receiver).map((e) => e.sequence);
    for (let i = 1; i < arrived.length; i++) expect([arrived[i - 1], arrived[i - 1]! + 1]).toContain(arrived[i]);
    // Per conversion, the order the changes happened in: created, then approved → reversed.
    const perConversion = new Map<unknown, string[]>();
    for (const e of acked) perConversion.set(e.data.conversion_id, [...(perConversion.get(e.data.conversion_id) ?? []), e.type]);
    for (const types of perConversion.values())
      expect(types).toEqual(['conversion.created', 'conversion.status_changed', 'conversion.status_changed', 'conversion.reversed']);
    // The subscription's own log: one row per event, in sequence, each succeeded; the retried ones show their attempts.
    const log = await f.admin('get', `/api/subscriptions/${sub.id}/deliveries`).query({ limit: 10 });
    expect(log.status).toBe(200);
    expect(log.body.data.map((d: { sequence: number }) => d.sequence)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(log.body.next_after_sequence).toBe(10);
    const rest = await f.admin('get', `/api/subscriptions/${sub.id}/deliveries`).query({ after_sequence: 10 });
    expect(rest.body.next_after_sequence).toBeNull();
    const rows = [...log.body.data, ...rest.body.data] as { status: string; attempt_count: number; event_id: string }[];
    expect(rows.map((d) => d.status)).toEqual(Array(total).fill('succeeded'));
    expect(rows.map((d) => d.event_id)).toEqual(acked.map((e) => e.id));
    expect(rows.filter((d) => d.attempt_count > 1).length).toBeGreaterThanOrEqual(4);
    const dead = await f.admin('get', `/api/subscriptions/${sub.id}/deliveries`).query({ status: 'dead_lettered' });
    expect(dead.body.data).toEqual([]);
  });

  it('replay of a time range sends exactly that range again, with the original ids and sequence numbers', async () => {
    const s = await f.setup();
    const sub = await subscribe({ url: `${receiver.url}/replay`, event_types: ['conversion.created'], filter: { offer_id: s.offer.id } });
    await conversionWith(s);
    const middleFrom = new Date();
    await conversionWith(s);
    await conversionWith(s);
    const middleTo = new Date();
    await conversionWith(s);
    const first = await waitFor('4 events', async () => (receiver.requests.length >= 4 ? bodies(receiver) : undefined));
    const inRange = first.filter((e) => {
      const at = new Date((e as unknown as { occurred_at: string }).occurred_at);
      return at >= middleFrom && at < middleTo;
    });
    expect(inRange).toHaveLength(2);

    const preview = await f
      .admin('post', `/api/subscriptions/${sub.id}/replay`)
      .send({ from: middleFrom.toISOString(), to: middleTo.toISOString(), dry_run: true });
    expect(preview.body).toMatchObject({ matched: 2, started: 0, dry_run: true });
    expect(receiver.requests).toHaveLength(4);

    const replay = await f
      .admin('post', `/api/subscriptions/${sub.id}/replay`)
      .send({ from: middleFrom.toISOString(), to: middleTo.toISOString() });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({
      matched: 2,
      started: 2,
      in_progress: 0,
      truncated: false,
      last_sequence: inRange
        .map((e) => e.sequence)
        .sort()
        .at(-1),
    });
    const again = await waitFor('2 replayed', async () => (receiver.requests.length >= 6 ? bodies(receiver).slice(4) : undefined));
    expect(again.map((e) => [e.id, e.sequence]).sort()).toEqual(inRange.map((e) => [e.id, e.sequence]).sort());
    // Byte for byte what was sent the first time (the signature covers the body).
    const firstBodies = new Map(receiver.requests.slice(0, 4).map((q) => [JSON.parse(q.body).id as string, q.body]));
    for (const q of receiver.requests.slice(4)) expect(q.body).toBe(firstBodies.get(JSON.parse(q.body).id as string));

    const audit = await f.admin('get', '/api/audit').query({ action: 'subscription.replay', target_id: sub.id });
    expect(audit.body.data[0]).toMatchObject({ matched: 2, started: 2 });
  });

  it('replay from a sequence number (the cursor a receiver keeps) sends exactly the events after it, and says where to go on', async () => {
    const s = await f.setup();
    const sub = await subscribe({ url: `${receiver.url}/cursor`, event_types: ['conversion.created'], filter: { offer_id: s.offer.id } });
    for (let i = 0; i < 4; i++) await conversionWith(s);
    const first = await waitFor('4 events', async () => (receiver.requests.length >= 4 ? bodies(receiver) : undefined));
    const bySequence = new Map(first.map((e) => [e.sequence, e.id]));
    expect([...bySequence.keys()].sort()).toEqual([1, 2, 3, 4]);

    // The receiver processed up to 1 and lost the rest: replay after 1, through 3.
    const replay = await f.admin('post', `/api/subscriptions/${sub.id}/replay`).send({ after_sequence: 1, through_sequence: 3 });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ matched: 2, started: 2, in_progress: 0, truncated: false, last_sequence: 3, dry_run: false });
    const again = await waitFor('2 replayed', async () => (receiver.requests.length >= 6 ? bodies(receiver).slice(4) : undefined));
    expect(again.map((e) => [e.sequence, e.id]).sort()).toEqual([
      [2, bySequence.get(2)],
      [3, bySequence.get(3)],
    ]);
    // Open-ended: everything after 3 (a dry run counts it); nothing after the newest.
    const rest = await f.admin('post', `/api/subscriptions/${sub.id}/replay`).send({ after_sequence: 3, dry_run: true });
    expect(rest.body).toMatchObject({ matched: 1, started: 0, last_sequence: 4, dry_run: true });
    const none = await f.admin('post', `/api/subscriptions/${sub.id}/replay`).send({ after_sequence: 4, dry_run: true });
    expect(none.body).toMatchObject({ matched: 0, last_sequence: null });
    // An empty range is a range: it matches nothing.
    const empty = await f
      .admin('post', `/api/subscriptions/${sub.id}/replay`)
      .send({ after_sequence: 3, through_sequence: 3, dry_run: true });
    expect(empty.status).toBe(202);
    expect(empty.body).toMatchObject({ matched: 0, last_sequence: null });

    // A range is one kind or the other, and says which field is wrong.
    for (const [body, path] of [
      [{ from: new Date().toISOString(), after_sequence: 1 }, 'from'],
      [{}, 'from'],
      [{ after_sequence: 1, to: new Date().toISOString() }, 'to'],
      [{ from: new Date().toISOString(), through_sequence: 3 }, 'through_sequence'],
      [{ after_sequence: -1 }, 'after_sequence'],
    ] as const) {
      const res = await f.admin('post', `/api/subscriptions/${sub.id}/replay`).send(body);
      expect(res.status).toBe(400);
      expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    const audit = await f.admin('get', '/api/audit').query({ action: 'subscription.replay', target_id: sub.id });
    expect(audit.body.data[0]).toMatchObject({ matched: 2, started: 2, filter: { after_sequence: 1, through_sequence: 3 } });
  });

  it('a paused subscription sends nothing until resumed, then everything it missed, in sequence', async () => {
    const s = await f.setup();
    const sub = await subscribe({ url: `${receiver.url}/paused`, event_types: ['conversion.created'], filter: { offer_id: s.offer.id } });
    expect((await f.admin('post', `/api/subscriptions/${sub.id}/pause`)).status).toBe(200);
    await conversionWith(s);
    await conversionWith(s);
    // Both are in the feed, and none was sent.
    await waitFor('both in the feed', async () => {
      const res = await f.admin('get', '/api/events').query({ types: 'conversion.created', limit: 1000 });
      return (res.body.data as Pushed[]).filter((e) => e.data.offer_id === s.offer.id).length === 2 ? true : undefined;
    });
    expect(receiver.requests).toHaveLength(0);
    expect((await f.admin('post', `/api/subscriptions/${sub.id}/resume`)).status).toBe(200);
    const got = await waitFor('both sent after resume', async () => (receiver.requests.length >= 2 ? bodies(receiver) : undefined));
    expect(got.map((e) => e.sequence).sort()).toEqual([1, 2]);
  });
});
