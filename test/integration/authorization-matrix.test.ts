import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startReceiver, type Receiver } from '../support/receiver';
import { useTestStack } from '../support/preamble';
import { TEST_ADMIN_KEY } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * The authorization matrix (issue 15): every /api route in /openapi.json × every kind of caller,
 * on seeded data for two advertisers and two affiliates. Nothing here lists routes by hand: the
 * routes, their realms and their parameters come from the document, so a route added later is
 * covered as soon as it is mounted (and one without `x-postflow-realms` fails).
 */
const { stack, f } = useTestStack('matrix');

type Realm = 'admin' | 'ops' | 'advertiser' | 'affiliate';
type Kind = 'advertiser' | 'affiliate' | 'offer' | 'conversion' | 'delivery' | 'endpoint' | 'key' | 'subscription' | 'click' | 'mmp';
interface Row {
  id: string;
  affiliate_id?: string;
  advertiser_id?: string;
}
interface Caller {
  label: string;
  realm: Realm;
  party?: string;
  key: string;
  readOnly: boolean;
}
interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  realms?: { realms: string[]; scopes: Record<string, string>; capability?: string };
  queryParams: string[];
  sse: boolean;
  csv: boolean;
}

/** The collection a path's `{param}` names, by the segment before it: /api/conversions/{id} → conversion. */
const kindOfSegment: Record<string, Kind> = {
  advertisers: 'advertiser',
  affiliates: 'affiliate',
  offers: 'offer',
  conversions: 'conversion',
  deliveries: 'delivery',
  postbacks: 'endpoint',
  keys: 'key',
  subscriptions: 'subscription',
  clicks: 'click',
  mmp: 'mmp',
};
function paramKinds(path: string): { name: string; kind: Kind }[] {
  const segments = path.split('/');
  return segments.flatMap((s, i) => {
    const name = /^\{(\w+)\}$/.exec(s)?.[1];
    if (!name) return [];
    const kind = kindOfSegment[segments[i - 1] ?? ''];
    if (!kind) throw new Error(`${path}: which seeded rows fill {${name}}? add "${segments[i - 1]}" to kindOfSegment`);
    return [{ name, kind }];
  });
}

/** What a partner must never see, in any key of any answer (camelCase too: the timeline once carried activity results verbatim). */
const hiddenKeys: Record<'affiliate' | 'advertiser', string[]> = {
  affiliate: ['revenue', 'revenue_minor', 'revenueMinor', 'margin', 'margin_minor', 'marginMinor', 'advertiser_id', 'ip'],
  advertiser: ['payout', 'payout_minor', 'payoutMinor', 'margin', 'margin_minor', 'marginMinor', 'epc', 'signing_secret'],
};
/** …nor in any text: a title such as "payout 5.00 USD, revenue 8.00 USD" leaks what a key-based projection lets through. */
const hiddenWords: Record<'affiliate' | 'advertiser', RegExp> = {
  affiliate: /revenue|margin|advertiser_receivable/i,
  advertiser: /payout|margin|\bepc\b|affiliate_payable/i,
};

function keysIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysIn(v, into);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysIn(v, into);
    }
  return into;
}

// ---- the world: two of each party, their conversions, deliveries, endpoints and keys ----

let ok: Receiver;
let failing: Receiver;
let server: http.Server;
let base: string;
const rows: Record<Kind, Row[]> = {
  advertiser: [],
  affiliate: [],
  offer: [],
  conversion: [],
  delivery: [],
  endpoint: [],
  key: [],
  subscription: [],
  click: [],
  mmp: [],
};
const callers: Caller[] = [];
let dead: Caller[] = [];
let ops: Operation[] = [];
let document: { paths: Record<string, Record<string, Record<string, unknown>>> };
const party = { advertiser: { A: '', B: '' }, affiliate: { A: '', B: '' } };

async function mint(body: Record<string, unknown>): Promise<{ id: string; key: string; expires_at: string }> {
  const res = await f.admin('post', '/api/keys').send({ name: 'matrix', ...body });
  if (res.status !== 201) throw new Error(`POST /api/keys: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
/** A subscription through the admin API, scoped to the affiliate when one is given. */
async function subscription(affiliateId?: string): Promise<string> {
  const res = await f
    .admin('post', '/api/subscriptions')
    .send({ url: `${ok.url}/subs`, event_types: ['conversion.*'], ...(affiliateId ? { affiliate_id: affiliateId } : {}) });
  if (res.status !== 201) throw new Error(`POST /api/subscriptions: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}
const ownerOf = (principal: string): Partial<Row> => {
  const [realm, id] = principal.split(':');
  return realm === 'affiliate' ? { affiliate_id: id } : realm === 'advertiser' ? { advertiser_id: id } : {};
};

beforeAll(async () => {
  ok = await startReceiver();
  failing = await startReceiver();
  failing.otherwise({ status: 400, body: 'unknown click' }); // permanent: failed at once, not retried
  server = http.createServer(stack.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const adv = { A: await f.advertiser({ name: 'Adv A' }), B: await f.advertiser({ name: 'Adv B' }) };
  const aff = { A: await f.affiliate({ name: 'Aff A' }), B: await f.affiliate({ name: 'Aff B' }) };
  party.advertiser = { A: adv.A.id, B: adv.B.id };
  party.affiliate = { A: aff.A.id, B: aff.B.id };
  for (const p of ['A', 'B'] as const) {
    rows.advertiser.push({ id: adv[p].id, advertiser_id: adv[p].id });
    rows.affiliate.push({ id: aff[p].id, affiliate_id: aff[p].id });
  }
  // Fraud detail in full on A's offer, hidden on B's: the reason detail is per offer.
  const offer = {
    A: await f.offer(adv.A.id, { name: 'Offer A', partner_reason_detail: 'full' }),
    B: await f.offer(adv.B.id, { name: 'Offer B', partner_reason_detail: 'none' }),
  };
  rows.offer.push({ id: offer.A.id, advertiser_id: adv.A.id }, { id: offer.B.id, advertiser_id: adv.B.id });
  for (const p of ['A', 'B'] as const)
    for (const receiver of [ok, failing]) {
      const ep = await f.endpoint(aff[p].id, { url: `${receiver.url}/pb?cid={click_id}&p={payout}`, events: ['approved'] });
      rows.endpoint.push({ id: ep.id, affiliate_id: aff[p].id });
    }
  // An MMP integration on each offer (staff only: no partner reaches them).
  for (const p of ['A', 'B'] as const) {
    const res = await f.admin('post', `/api/offers/${offer[p].id}/mmp`).send({ vendor: 'adjust' });
    if (res.status !== 201) throw new Error(`POST /api/offers/{id}/mmp: ${res.status} ${JSON.stringify(res.body)}`);
    rows.mmp.push({ id: res.body.id, advertiser_id: adv[p].id });
  }
  // Each affiliate's own subscription, and one of the network's (no partner's).
  for (const affiliateId of [aff.A.id, aff.B.id, undefined]) {
    const sub = await subscription(affiliateId);
    rows.subscription.push({ id: sub, ...(affiliateId ? { affiliate_id: affiliateId } : {}) });
  }
  // A's and B's own traffic, and affiliate B promoting advertiser A's offer: each partner owns some rows of the other's.
  const pairs = [
    { advertiser: adv.A, affiliate: aff.A, offer: offer.A },
    { advertiser: adv.B, affiliate: aff.B, offer: offer.B },
    { advertiser: adv.A, affiliate: aff.B, offer: offer.A },
  ];
  for (const [i, pair] of pairs.entries()) {
    const clickId = await f.click(pair.offer.id, pair.affiliate.id);
    rows.click.push({ id: clickId, affiliate_id: pair.affiliate.id, advertiser_id: pair.advertiser.id });
    const id = await f.convert({ clickId, token: pair.advertiser.postback_token }, { txid: `matrix-${i}`, amount: '100.00' });
    rows.conversion.push({ id, affiliate_id: pair.affiliate.id, advertiser_id: pair.advertiser.id });
  }
  for (const c of rows.conversion) {
    const deliveries = await waitFor(
      `both deliveries of ${c.id} to end`,
      async () => {
        const docs = await stack.models.Delivery.find({ conversion_id: c.id }).lean();
        return docs.length === 2 && docs.every((d) => d.status === 'succeeded' || d.status === 'failed') ? docs : undefined;
      },
      30_000,
    );
    for (const d of deliveries) rows.delivery.push({ id: String(d._id), affiliate_id: d.affiliate_id });
  }

  const principals: { label: string; principal: string; realm: Realm; party?: string; read_only?: boolean }[] = [
    { label: 'ops', principal: 'ops', realm: 'ops' },
    { label: 'advertiser A', principal: `advertiser:${adv.A.id}`, realm: 'advertiser', party: adv.A.id },
    { label: 'advertiser B', principal: `advertiser:${adv.B.id}`, realm: 'advertiser', party: adv.B.id },
    { label: 'affiliate A', principal: `affiliate:${aff.A.id}`, realm: 'affiliate', party: aff.A.id },
    { label: 'affiliate B', principal: `affiliate:${aff.B.id}`, realm: 'affiliate', party: aff.B.id },
    { label: 'read-only ops', principal: 'ops', realm: 'ops', read_only: true },
    { label: 'read-only affiliate A', principal: `affiliate:${aff.A.id}`, realm: 'affiliate', party: aff.A.id, read_only: true },
  ];
  callers.push({ label: 'admin', realm: 'admin', key: TEST_ADMIN_KEY, readOnly: false });
  for (const p of principals) {
    const minted = await mint({ principal: p.principal, read_only: p.read_only ?? false });
    callers.push({ label: p.label, realm: p.realm, party: p.party, key: minted.key, readOnly: p.read_only ?? false });
    rows.key.push({ id: minted.id, ...ownerOf(p.principal) });
  }
  const expired = await mint({ principal: `affiliate:${aff.A.id}` });
  await stack.models.ApiKey.updateOne({ _id: expired.id }, { $set: { expires_at: new Date(Date.now() - 60_000) } });
  const revoked = await mint({ principal: 'ops' });
  expect((await f.admin('delete', `/api/keys/${revoked.id}`)).status).toBe(200);
  dead = [
    { label: 'expired key', realm: 'affiliate', party: aff.A.id, key: expired.key, readOnly: false },
    { label: 'revoked key', realm: 'ops', key: revoked.key, readOnly: false },
  ];

  document = (await f.http().get('/openapi.json')).body;
  ops = operationsOf(document);
}, 90_000);

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await ok?.close();
  await failing?.close();
});

/** Every operation under /api with its declared realms, query parameters and answer type. */
function operationsOf(doc: typeof document): Operation[] {
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/api/'))
    .flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => ['get', 'post', 'patch', 'delete'].includes(method))
        .map(([method, op]) => {
          const content = Object.keys(((op.responses as Record<string, { content?: object }>)?.['200']?.content ?? {}) as object);
          return {
            method: method as Operation['method'],
            path,
            realms: op['x-postflow-realms'] as Operation['realms'],
            queryParams: ((op.parameters as { in: string; name: string }[] | undefined) ?? [])
              .filter((p) => p.in === 'query')
              .map((p) => p.name),
            sse: content.includes('text/event-stream'),
            csv: content.some((c) => c.startsWith('text/csv')),
          };
        }),
    );
}

/** The routes of the document that say nothing of realms; /api/session is the console's own sign-in (no key yet). */
function undeclared(doc: typeof document): string[] {
  return operationsOf(doc)
    .filter((op) => !op.realms && op.path !== '/api/session')
    .map((op) => `${op.method.toUpperCase()} ${op.path}`);
}

// ---- calling a route ----

/** A valid body for the writes that need one, keyed by route; the rest send {}. */
function bodyFor(op: Operation, caller: Caller, ids: Record<string, string>): object | undefined {
  if (op.method === 'get' || op.method === 'delete') return undefined;
  const own = caller.realm === 'affiliate' || caller.realm === 'advertiser' ? `${caller.realm}:${caller.party}` : undefined;
  const table: Record<string, object> = {
    'POST /api/advertisers': { name: 'Matrix advertiser' },
    'PATCH /api/advertisers/{id}': { name: 'Matrix advertiser' },
    'POST /api/affiliates': { name: 'Matrix affiliate' },
    'PATCH /api/affiliates/{id}': { name: 'Matrix affiliate' },
    'POST /api/affiliates/{id}/postbacks': { url: `${ok.url}/new?cid={click_id}`, events: ['approved'] },
    'PATCH /api/postbacks/{id}': { active: true },
    'POST /api/offers': {
      advertiser_id: party.advertiser.A,
      name: 'Matrix offer',
      url: 'https://shop.example/?c={click_id}',
      currency: 'USD',
      default_goal: 'sale',
      goals: [{ key: 'sale', payout: { type: 'fixed', amount: '1.00' }, revenue: { type: 'fixed', amount: '2.00' } }],
    },
    'PATCH /api/offers/{id}': { name: 'Matrix offer' },
    'PATCH /api/trafficback': { target: { type: 'not_found' } },
    'POST /api/offers/{id}/mmp': { vendor: 'kochava' },
    'PATCH /api/mmp/{id}': { active: true },
    'POST /api/conversions/{id}/status': { status: 'approved' },
    'POST /api/deliveries/redeliver': { all: true, dry_run: true },
    'POST /api/keys': { name: 'matrix', principal: own ?? 'ops', expires_in_days: 1 },
    'POST /api/keys/{id}/rotate': { overlap_hours: 0 },
    'POST /api/subscriptions': { url: `${ok.url}/subs`, event_types: ['conversion.*'] },
    'PATCH /api/subscriptions/{id}': { description: 'matrix' },
    'POST /api/subscriptions/{id}/secret/rotate': { overlap_hours: 0 },
    'POST /api/subscriptions/{id}/replay': { from: '2026-01-01T00:00:00Z' },
    'POST /api/portal-links': { principal: `affiliate:${party.affiliate.A}` },
    'POST /api/affiliates/{id}/test-postbacks': { offer_id: rows.offer[0]!.id },
    'POST /api/advertisers/{id}/test-postbacks': {
      offer_id: rows.offer.find((o) => o.advertiser_id === ids.id)?.id ?? rows.offer[0]!.id,
      affiliate_id: party.affiliate.A,
    },
  };
  return table[`${op.method.toUpperCase()} ${op.path}`] ?? {};
}

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

async function call(op: Operation, caller: Caller, ids: Record<string, string>, query: Record<string, string> = {}): Promise<Answer> {
  const path = withIds(op.path, ids);
  if (op.sse) return openStream(caller, path, query);
  let req = f.http()[op.method](path).query(query).set('Authorization', `Bearer ${caller.key}`);
  const body = bodyFor(op, caller, ids);
  if (body) req = req.send(body);
  const res = await req;
  return { status: res.status, body: res.body, text: res.text ?? JSON.stringify(res.body) };
}

/**
 * A stream from the beginning (Last-Event-ID at time 0), read until it has sent every conversion
 * the caller owns (or, filtered, for a short while), or the deadline passes; what it sent is the answer's text.
 */
async function openStream(caller: Caller, path: string, query: Record<string, string>): Promise<Answer> {
  const abort = new AbortController();
  const res = await fetch(`${base}${path}?${new URLSearchParams(query)}`, {
    headers: { Authorization: `Bearer ${caller.key}`, 'Last-Event-ID': '0-9-' },
    signal: abort.signal,
  });
  if (res.status !== 200) return { status: res.status, body: await res.json(), text: '' };
  const filtered = Object.keys(query).length > 0;
  const expected = filtered ? [] : isPartner(caller) ? mine(caller, 'conversion').map((r) => r.id) : rows.conversion.map((r) => r.id);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + (filtered ? 1_500 : 10_000);
  try {
    while (Date.now() < deadline && (filtered || !expected.every((id) => text.includes(`"id":"${id}"`)))) {
      let timer: Parameters<typeof clearTimeout>[0];
      const chunk = await Promise.race([
        reader.read(),
        new Promise<undefined>((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now())))),
      ]).finally(() => clearTimeout(timer));
      if (!chunk || chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    abort.abort();
  }
  for (const id of expected) if (!text.includes(`"id":"${id}"`)) throw new Error(`${caller.label}: the stream never sent ${id}: ${text}`);
  const events = text
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => JSON.parse(l.slice(5)) as unknown);
  return { status: 200, body: events, text };
}

// ---- whose rows are whose ----

const isPartner = (c: Caller): c is Caller & { realm: 'affiliate' | 'advertiser'; party: string } =>
  c.realm === 'affiliate' || c.realm === 'advertiser';
const ownerField = (c: Caller) => `${c.realm}_id` as 'affiliate_id' | 'advertiser_id';
const mine = (c: Caller, kind: Kind) => rows[kind].filter((r) => r[ownerField(c)] === c.party);
/** The other party's real rows of a kind (for advertisers, deliveries and endpoints are all someone else's). */
const foreign = (c: Caller, kind: Kind) => rows[kind].filter((r) => r[ownerField(c)] !== c.party);

/** Ids a partner's answers may never hold: other partners, their conversions, deliveries, endpoints, keys. */
function foreignIds(c: Caller): string[] {
  const kinds: Kind[] =
    c.realm === 'affiliate'
      ? ['affiliate', 'conversion', 'delivery', 'endpoint', 'key', 'advertiser', 'subscription']
      : ['advertiser', 'offer', 'conversion', 'delivery', 'endpoint', 'key'];
  return kinds.flatMap((k) => (c.realm === 'affiliate' && k === 'advertiser' ? rows.advertiser : foreign(c, k)).map((r) => r.id));
}

const inRealm = (op: Operation, c: Caller) => c.realm === 'admin' || (op.realms?.realms ?? []).includes(c.realm);
const withIds = (path: string, ids: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name]!);
const sameAs = (body: unknown, id: string) => JSON.stringify(body).split(id).join('<id>');

/** A fresh row of a kind for a write that uses it up (revoking a key, deactivating an endpoint), owned by the caller. */
async function spare(kind: Kind, c: Caller): Promise<string> {
  const affiliate = c.realm === 'affiliate' ? c.party! : party.affiliate.A;
  if (kind === 'key') return (await mint({ principal: isPartner(c) ? `${c.realm}:${c.party}` : 'ops', expires_in_days: 1 })).id;
  if (kind === 'subscription') return subscription(c.realm === 'affiliate' ? c.party : party.affiliate.A);
  if (kind === 'endpoint') return (await f.endpoint(affiliate, { url: `${ok.url}/spare?cid={click_id}` })).id;
  if (kind === 'offer') return (await f.offer(c.realm === 'advertiser' ? c.party! : party.advertiser.A, { name: 'Spare offer' })).id;
  if (isPartner(c)) return c.party; // a partner's own party
  return kind === 'advertiser'
    ? (await f.advertiser({ name: 'Spare advertiser' })).id
    : (await f.affiliate({ name: 'Spare affiliate' })).id;
}

/** Ids for each path parameter: the caller's own rows (fresh ones for writes), or a staff caller's first. */
async function ownIds(op: Operation, c: Caller): Promise<Record<string, string> | undefined> {
  const ids: Record<string, string> = {};
  for (const { name, kind } of paramKinds(op.path)) {
    // Keys, endpoints and offers are fresh for a write; the parties themselves only for a deactivation.
    const writeUsesUp =
      op.method !== 'get' &&
      (['key', 'endpoint', 'offer', 'subscription'].includes(kind) ||
        (op.method === 'delete' && ['advertiser', 'affiliate'].includes(kind)));
    if (writeUsesUp) ids[name] = await spare(kind, c);
    else {
      const row = isPartner(c) ? mine(c, kind)[0] : rows[kind][0];
      if (!row) return undefined; // the caller owns none of these (an advertiser and deliveries)
      ids[name] = row.id;
    }
  }
  return ids;
}

function expectNothingForeign(op: Operation, c: Caller, answer: Answer, what: string) {
  if (!isPartner(c)) return;
  const text = answer.text || JSON.stringify(answer.body);
  for (const id of foreignIds(c))
    if (text.includes(id)) throw new Error(`${c.label}: ${what} holds foreign id ${id}: ${text.slice(0, 400)}`);
  const keys = op.csv ? new Set(text.split(/\r?\n/)[0]!.split(',')) : keysIn(answer.body);
  const leaked = hiddenKeys[c.realm].filter((k) => keys.has(k));
  if (leaked.length > 0) throw new Error(`${c.label}: ${what} shows ${leaked.join(', ')}`);
  const word = hiddenWords[c.realm].exec(text);
  if (word) throw new Error(`${c.label}: ${what} says "${word[0]}": …${text.slice(Math.max(0, word.index - 120), word.index + 80)}…`);
}

const refusedBy = (answer: Answer) => (answer.body as { error?: string } | undefined)?.error;

// ---- the matrix ----

describe('the authorization matrix', () => {
  it('covers every /api route of the document, each declaring its realms', () => {
    expect(ops.length).toBeGreaterThan(30);
    expect(undeclared(document)).toEqual([]);
    // The check itself: a route whose declaration went missing is named.
    const stripped = JSON.parse(JSON.stringify(document)) as typeof document;
    delete stripped.paths['/api/conversions']!.get!['x-postflow-realms'];
    expect(undeclared(stripped)).toEqual(['GET /api/conversions']);
  });

  it('answers 401 to an expired or revoked key on every route', async () => {
    for (const op of ops.filter((o) => o.realms))
      for (const c of dead) {
        const ids = Object.fromEntries(paramKinds(op.path).map(({ name, kind }) => [name, rows[kind][0]!.id]));
        const answer = await call(op, c, ids);
        if (answer.status !== 401) throw new Error(`${c.label} on ${op.method.toUpperCase()} ${op.path}: ${answer.status}, not 401`);
      }
  }, 60_000);

  it('answers 403 out_of_realm outside a realm and 403 read_only to every write of a read-only principal', async () => {
    for (const op of ops.filter((o) => o.realms))
      for (const c of callers) {
        const ids = Object.fromEntries(
          paramKinds(op.path).map(({ name, kind }) => [name, (isPartner(c) ? mine(c, kind)[0] : undefined)?.id ?? rows[kind][0]!.id]),
        );
        const where = `${c.label} on ${op.method.toUpperCase()} ${op.path}`;
        if (!inRealm(op, c)) {
          const answer = await call(op, c, ids);
          if (answer.status !== 403 || refusedBy(answer) !== 'out_of_realm')
            throw new Error(`${where}: ${answer.status} ${answer.text}, not out_of_realm`);
        } else if (c.readOnly && op.method !== 'get') {
          const answer = await call(op, c, ids);
          if (answer.status !== 403 || refusedBy(answer) !== 'read_only')
            throw new Error(`${where}: ${answer.status} ${answer.text}, not read_only`);
        }
      }
  }, 90_000);

  it("lets each caller reach its own rows and answers 404, exactly as for a missing id, for another party's", async () => {
    for (const op of ops.filter((o) => o.realms && paramKinds(o.path).length > 0))
      for (const c of callers.filter((c) => inRealm(op, c) && !(c.readOnly && op.method !== 'get'))) {
        const where = `${c.label} on ${op.method.toUpperCase()} ${op.path}`;
        const own = await ownIds(op, c);
        if (own) {
          const answer = await call(op, c, own);
          const refusal = refusedBy(answer);
          if (
            answer.status === 401 ||
            answer.status === 404 ||
            answer.status >= 500 ||
            (answer.status === 403 && ['out_of_realm', 'read_only', 'missing_capability'].includes(refusal ?? ''))
          )
            throw new Error(`${where} (own ${JSON.stringify(own)}): ${answer.status} ${answer.text}`);
          if (answer.status === 400) throw new Error(`${where}: 400 ${answer.text}: give the route a valid body in bodyFor's table`);
          expectNothingForeign(op, c, answer, where);
        }
        if (!isPartner(c)) continue;
        const params = paramKinds(op.path);
        for (const { name, kind } of params) {
          const others = foreign(c, kind);
          const missingIds = { ...own, [name]: 'zz_missing_0123' };
          const missing = await call(op, c, missingIds);
          expect({ where, status: missing.status }).toEqual({ where, status: 404 });
          const staffMissing = await call(op, callers[0]!, missingIds);
          for (const other of others) {
            const answer = await call(op, c, { ...own, [name]: other.id });
            expect({ where, id: other.id, status: answer.status }).toEqual({ where, id: other.id, status: 404 });
            expect({ where, body: sameAs(answer.body, other.id) }).toEqual({ where, body: sameAs(missing.body, 'zz_missing_0123') });
            if (staffMissing.status === 404)
              expect({ where, body: sameAs(answer.body, other.id) }).toEqual({ where, body: sameAs(staffMissing.body, 'zz_missing_0123') });
          }
        }
      }
  }, 120_000);

  it('shows a partner none of the rows of others in any list, report, export or the live stream, and no hidden field', async () => {
    const lists = ops.filter((o) => o.realms && o.method === 'get' && paramKinds(o.path).length === 0);
    for (const op of lists)
      for (const c of callers.filter((c) => isPartner(c) && inRealm(op, c))) {
        const where = `${c.label} on GET ${op.path}`;
        const answer = await call(op, c, {});
        if (answer.status !== 200) throw new Error(`${where}: ${answer.status} ${answer.text}`);
        expectNothingForeign(op, c, answer, where);
        // Asking for another party's rows by filter gets 404 (the filter is the partner's own) or still nothing foreign.
        for (const field of ['affiliate_id', 'advertiser_id'].filter((q) => op.queryParams.includes(q))) {
          const other = field === 'affiliate_id' ? party.affiliate : party.advertiser;
          const asked = await call(op, c, {}, { [field]: other.A === c.party ? other.B : other.A });
          if (asked.status !== 404) {
            expect({ where, field, status: asked.status }).toEqual({ where, field, status: 200 });
            expectNothingForeign(op, c, asked, `${where}?${field}=…`);
          }
        }
      }
  }, 120_000);

  it("confines a partner's bulk redelivery to its own deliveries (the filter is in the body)", async () => {
    for (const c of callers.filter((c) => c.realm === 'affiliate' && !c.readOnly)) {
      const preview = await f
        .http()
        .post('/api/deliveries/redeliver')
        .set('Authorization', `Bearer ${c.key}`)
        .send({ all: true, dry_run: true, status: 'failed' });
      expect(preview.status).toBe(200);
      const own = await stack.models.Delivery.countDocuments({ affiliate_id: c.party, status: 'failed' });
      expect(own).toBeGreaterThan(0);
      expect(preview.body).toMatchObject({ matched: own, filter: { affiliate_id: c.party } });
      const other = c.party === party.affiliate.A ? party.affiliate.B : party.affiliate.A;
      const foreignFilter = await f
        .http()
        .post('/api/deliveries/redeliver')
        .set('Authorization', `Bearer ${c.key}`)
        .send({ affiliate_id: other, dry_run: true });
      expect(foreignFilter.status).toBe(404);
    }
  });
});

describe('minting keys', () => {
  it('no key can mint a broader one: another principal, write from read-only, a capability or a life it lacks', async () => {
    const post = (key: string, body: object) =>
      f
        .http()
        .post('/api/keys')
        .set('Authorization', `Bearer ${key}`)
        .send({ name: 'broader', ...body });
    for (const c of callers.filter(isPartner)) {
      const own = `${c.realm}:${c.party}`;
      for (const principal of ['admin', 'ops', `affiliate:${party.affiliate.B}`, `advertiser:${party.advertiser.B}`].filter(
        (p) => p !== own,
      )) {
        const res = await post(c.key, { principal, expires_in_days: 1 });
        expect({ who: c.label, principal, status: res.status }).toEqual({ who: c.label, principal, status: 403 });
      }
    }
    const readOnly = callers.find((c) => c.label === 'read-only affiliate A')!;
    expect((await post(readOnly.key, { principal: `affiliate:${readOnly.party}`, read_only: false, expires_in_days: 1 })).status).toBe(403);
    const readOnlyOps = callers.find((c) => c.label === 'read-only ops')!;
    expect((await post(readOnlyOps.key, { principal: 'ops', read_only: true })).status).toBe(403);

    const limited = await mint({ principal: `affiliate:${party.affiliate.A}`, capabilities: ['manage_keys'], expires_in_days: 2 });
    const wider = await post(limited.key, {
      principal: `affiliate:${party.affiliate.A}`,
      capabilities: ['manage_keys', 'redeliver'],
      expires_in_days: 1,
    });
    expect(wider.status).toBe(403);
    expect(wider.body.error).toBe('broader_than_caller');
    const longer = await post(limited.key, {
      principal: `affiliate:${party.affiliate.A}`,
      capabilities: ['manage_keys'],
      expires_in_days: 30,
    });
    expect(longer.body.error).toBe('broader_than_caller');
    const same = await post(limited.key, {
      principal: `affiliate:${party.affiliate.A}`,
      capabilities: ['manage_keys'],
      expires_in_days: 1,
    });
    expect(same.status).toBe(201);
    // Rotation gives the same scope and end, never more.
    const rotated = await f
      .http()
      .post(`/api/keys/${limited.id}/rotate`)
      .set('Authorization', `Bearer ${limited.key}`)
      .send({ overlap_hours: 0 });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({
      principal: `affiliate:${party.affiliate.A}`,
      read_only: false,
      capabilities: ['manage_keys'],
      expires_at: limited.expires_at,
    });
  });
});
