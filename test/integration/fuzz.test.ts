import fc from 'fast-check';
import type Koa from 'koa';
import request from 'supertest';
import { createApp } from '../../api/app';
import { sha256 } from '../../api/auth';
import { useTestStack } from '../support/preamble';
import { TEST_ADMIN_KEY } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * Property-based fuzzing of every ingress and admin write route (fast-check, a fixed number of
 * runs). hostile-input.test.ts walks a fixed table of known attacks; this file generates
 * random combinations of them: mutated valid requests (fields dropped, replaced by operators,
 * deep nesting, huge or invalid strings), duplicated and bracketed parameters, broken
 * percent-encoding, wrong content types, random bytes, odd path spellings and missing keys.
 *
 * For every request:
 * - never a 5xx, never a transport error;
 * - a 4xx has a JSON `{ error, message }` body;
 * - a refused request (4xx), and any GET, changes no collection (counts of every collection,
 *   and the documents the requests point at);
 * - no secret in the answer that the request did not carry itself; Object.prototype unpolluted;
 * - a 2xx on /postback or /postback/status carried the real token, a 2xx under /api the admin key.
 * After all runs, no workflow was started: the valid base postback repeats an existing
 * conversion, so nothing the fuzzer sends may start one.
 *
 * A failure prints fast-check's seed and path; FUZZ_SEED=<seed> replays the same inputs.
 */

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** FUZZ_RUNS_FACTOR=10 for a longer hunt by hand; the default keeps the file under half a minute. */
const FACTOR = Math.max(1, Number(process.env.FUZZ_RUNS_FACTOR ?? 1) || 1);
const RUNS = Object.fromEntries(
  Object.entries({ postback: 150, click: 80, status: 80, adminWrite: 50, adminList: 80, noAuth: 60 }).map(([k, n]) => [k, n * FACTOR]),
) as Record<'postback' | 'click' | 'status' | 'adminWrite' | 'adminList' | 'noAuth', number>;
jest.setTimeout(120_000 * FACTOR);

const { stack, f } = useTestStack('fuzz');
/** The app under test: the production middleware, with the rate limiters on (high enough never to refuse). */
let app: Koa;

interface World {
  advertiserId: string;
  token: string;
  affiliateId: string;
  offerId: string;
  clickId: string;
  conversionId: string;
  victimAdvertiserId: string;
  victimAffiliateId: string;
  victimOfferId: string;
  victimEndpointId: string;
}
let w: World;
let workflowsBefore: number;
/** The database as the last request left it; a refused request must leave it so. */
let lastFingerprint: string;

const workflowQuery = () => `TaskQueue = '${stack.taskQueue}'`;
const countWorkflows = async () => (await stack.client.workflow.count(workflowQuery())).count;

beforeAll(async () => {
  app = createApp({
    config: stack.configWith({ RATE_LIMIT_PER_IP: '1000000', RATE_LIMIT_PER_ADVERTISER: '1000000' }),
    temporal: stack.client,
    mongo: stack.mongo,
    models: stack.models,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const s = await f.setup();
  // A pending conversion without txid: every accepted variant of the base postback is then a
  // "duplicate" that starts nothing (as in hostile-input.test.ts).
  const pb = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, status: 'pending' });
  if (pb.status !== 200) throw new Error(`setup postback: ${pb.status} ${pb.text}`);
  const conversionId: string = pb.body.conversion_id;
  await waitFor(
    'the setup conversion to be pending',
    async () => (await stack.models.Conversion.findById(conversionId).lean())?.status === 'pending',
  );
  const settle = await f.admin('post', `/api/conversions/${conversionId}/status`).send({ status: 'pending' });
  if (settle.status !== 200 || settle.body.changed !== false) throw new Error(`setup settle: ${settle.status} ${settle.text}`);

  const victimAdv = await f.advertiser({ name: 'Victim advertiser' });
  const victimAff = await f.affiliate({ name: 'Victim affiliate' });
  const victimOffer = await f.offer(victimAdv.id, { name: 'Victim offer' });
  const endpoint = await f
    .admin('post', `/api/affiliates/${victimAff.id}/postbacks`)
    .send({ url: 'https://affiliate.example/pb?c={conversion_id}', events: ['approved'] });
  if (endpoint.status !== 201) throw new Error(`setup endpoint: ${endpoint.status} ${endpoint.text}`);
  w = {
    advertiserId: s.advertiser.id,
    token: s.token,
    affiliateId: s.affiliate.id,
    offerId: s.offer.id,
    clickId: s.clickId,
    conversionId,
    victimAdvertiserId: victimAdv.id,
    victimAffiliateId: victimAff.id,
    victimOfferId: victimOffer.id,
    victimEndpointId: endpoint.body.id,
  };
  workflowsBefore = await waitFor('the setup workflow in the visibility store', async () => {
    const n = await countWorkflows();
    return n >= 1 ? n : undefined;
  });
  lastFingerprint = await fingerprint();
});

// ---------------------------------------------------------------------------------------------
// Sending and checking
// ---------------------------------------------------------------------------------------------

type Method = 'get' | 'post' | 'patch' | 'delete';

interface Req {
  method: Method;
  /** Path and query exactly as they go on the wire. */
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const rawBytes = ((body: Buffer) => body) as unknown as (body: unknown) => string;

function send(r: Req): Promise<request.Response> {
  let req = request(app.callback())[r.method](r.url);
  for (const [name, value] of Object.entries(r.headers)) req = req.set(name, value);
  // The bytes go out as given (superagent would turn a Buffer sent as JSON into {"type":"Buffer"…}).
  if (r.body !== undefined) req = req.serialize(rawBytes).send(r.body);
  return req;
}

/** Every collection's size, and the documents the fuzzed requests point at. */
async function fingerprint(): Promise<string> {
  const db = stack.mongo.db!;
  // The ingress log records every call to the postback routes, refused ones too, by design (written
  // after the answer, in the background); it is checked for secrets after the fuzzing instead.
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((name) => name !== stack.models.IngressLogEntry.collection.collectionName)
    .sort();
  const counts = await Promise.all(names.map((name) => db.collection(name).countDocuments()));
  const m = stack.models;
  const docs = await Promise.all([
    m.Advertiser.find({ _id: { $in: [w.advertiserId, w.victimAdvertiserId] } })
      .sort({ _id: 1 })
      .lean(),
    m.Affiliate.find({ _id: { $in: [w.affiliateId, w.victimAffiliateId] } })
      .sort({ _id: 1 })
      .lean(),
    m.Offer.find({ _id: { $in: [w.offerId, w.victimOfferId] } })
      .sort({ _id: 1 })
      .lean(),
    m.PostbackEndpoint.findById(w.victimEndpointId).lean(),
    m.Conversion.findById(w.conversionId).lean(),
  ]);
  return JSON.stringify({ names, counts, docs });
}

const secrets = () => [TEST_ADMIN_KEY, w.token, sha256(w.token), sha256(TEST_ADMIN_KEY)];

/** What a 2xx needs: the caller proved who it is. */
type Proof = (r: Req) => boolean;
const carriesToken: Proof = (r) =>
  `${r.url}\n${r.headers['X-Postback-Token'] ?? ''}\n${r.body?.toString('latin1') ?? ''}`.includes(w.token);
const carriesAdminKey: Proof = (r) => r.headers.Authorization === `Bearer ${TEST_ADMIN_KEY}`;

/** A trafficback answer: the click it names is stored, with the reason the answer gives. */
async function expectTrafficbackClick(res: request.Response): Promise<void> {
  const reason = String(res.headers['x-trafficback-reason']);
  const id = /click (clk_\w+) is recorded/.exec(String((res.body as { message?: string }).message))?.[1];
  if (res.status === 404) {
    if ((res.body as { error?: string }).error !== reason) throw new Error(`a trafficback 404 whose error is not its reason ${reason}`);
    const click = id ? await stack.models.Click.findById(id).lean() : null;
    if ((click?.trafficback as { reason?: string } | undefined)?.reason !== reason)
      throw new Error(`a trafficback 404 (${reason}) whose click ${id ?? '(none named)'} is not stored with that reason`);
  }
}

/** Sends one request and throws (so fast-check records and shrinks it) on any broken invariant. */
async function check(
  r: Req,
  opts: { proof?: Proof; also?: (res: request.Response) => void; writes?: boolean } = {},
): Promise<request.Response> {
  let res: request.Response;
  try {
    res = await send(r);
  } catch (err) {
    throw new Error(`no HTTP answer: ${(err as Error).message}`);
  }
  const after = await fingerprint();
  const before = lastFingerprint;
  lastFingerprint = after;
  const summary = `${res.status} ${res.text.slice(0, 300)}`;
  if (res.status >= 500) throw new Error(`a 5xx: ${summary}`);
  if (res.status >= 400) {
    const body = res.body as { error?: unknown; message?: unknown };
    if (
      !/^application\/json/.test(String(res.headers['content-type'])) ||
      typeof body?.error !== 'string' ||
      typeof body.message !== 'string' ||
      body.message === ''
    ) {
      throw new Error(`a 4xx without a JSON { error, message } body: ${summary}`);
    }
  }
  const readOnly = r.method === 'get' && !opts.writes;
  // A click its offer cannot take is recorded with its reason (README "Trafficback"), even when it
  // ends at a 404: that answer stores exactly that click; any other refusal stores nothing.
  if (res.headers['x-trafficback-reason']) await expectTrafficbackClick(res);
  else if ((res.status >= 400 || readOnly) && after !== before)
    throw new Error(`answered ${res.status} but the database changed: ${summary}`);
  if (res.status < 300 && opts.proof && !opts.proof(r)) throw new Error(`a ${res.status} without credentials: ${summary}`);
  // An error may quote the caller's own input back (a click id that swallowed the whole query
  // string, token included): only a secret the request did not carry is a leak.
  const sent = `${r.url}\n${JSON.stringify(r.headers)}\n${r.body?.toString('utf8') ?? ''}`;
  const visible = `${res.text}\n${JSON.stringify(res.headers)}`;
  if (secrets().some((s) => visible.includes(s) && !sent.includes(s))) throw new Error(`a secret in the answer: ${summary}`);
  if (({} as Record<string, unknown>).polluted !== undefined) throw new Error('Object.prototype was polluted');
  opts.also?.(res);
  return res;
}

const run = (property: fc.IAsyncProperty<[Req]>, numRuns: number) => fc.assert(property, { numRuns, seed: SEED });

// ---------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------

/** encodeURIComponent that never throws: a lone surrogate goes out as UTF-8's replacement bytes. */
const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

const injections = [
  "' OR '1'='1",
  '" OR ""="',
  "'; DROP TABLE conversions; --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{"$gt":""}',
  '{"$ne":null}',
  '$where',
  '$gt',
  'this.token != ""',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '${7*7}',
  '{{7*7}}',
  '#{7*7}',
  '%s%s%s%n',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '1e400',
  '0x10',
  '',
  ' ',
  '\u0000',
  'a\r\nX-Injected: yes',
  '\u202e\u0000\ufeff',
  '\ud800',
  '\udfff\ud800',
  '🙂'.repeat(50),
  'A'.repeat(201),
  'x'.repeat(5000),
  'http://169.254.169.254/latest/meta-data/',
  'javascript:alert(1)',
  'clk_00000000000000000000',
  'off_x',
  'pt_x',
  'whsec_AAAA',
];

const shortString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...injections) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
);
/** Strings for bodies, where size is ours to choose (the body limit is 64 KiB). */
const bodyString = fc.oneof(
  { weight: 8, arbitrary: shortString },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 70_000 }).map((n) => 'x'.repeat(n)) },
);

const operatorKeys = [
  '$gt',
  '$gte',
  '$ne',
  '$in',
  '$nin',
  '$regex',
  '$where',
  '$exists',
  '$expr',
  '$function',
  '$set',
  '$',
  '__proto__',
  'constructor',
];
const jsonKey = fc.oneof(fc.constantFrom(...operatorKeys), shortString);

/** Raw JSON text (so that __proto__ keys, 1e400 and lone surrogates go out exactly as written). */
const hostileJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: bodyString.map((s) => JSON.stringify(s)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...operatorKeys), fc.jsonValue({ maxDepth: 2 }))
      .map(([k, v]) => `{${JSON.stringify(k)}:${JSON.stringify(v)}}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...operatorKeys), fc.jsonValue({ maxDepth: 1 }))
      .map(([k, v]) => `[{${JSON.stringify(k)}:${JSON.stringify(v)}}]`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 6000 }), fc.boolean())
      .map(([depth, arr]) => (arr ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth))),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '1e400',
      '-1e400',
      '-0',
      '18446744073709551616',
      '0.1',
      '-1',
      '12345',
      '1.5e3',
      'true',
      'false',
      'null',
      '[]',
      '{}',
      '""',
      '"\\u0000"',
      '"\\ud800"',
    ),
  },
);

/** A value for a query string or form, as it goes on the wire: well-encoded or broken. */
const wireValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: shortString.map(pct) },
  { weight: 1, arbitrary: shortString.map((s) => s.replace(/[&#=]/g, '')) }, // raw, not encoded at all
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '%',
      '%zz',
      '%C3%28',
      '%FF%FE',
      '%ED%A0%80',
      '%E0%A4%A',
      '%00',
      '%2',
      '%25%',
      '+',
      '%2B%20',
      '[',
      ']',
      '%5B%24ne%5D',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => 'y'.repeat(n)) },
);

/** A parameter name's suffix: qs turns these into objects and arrays. */
const keySuffix = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '[$ne]',
      '[$gt]',
      '[$regex]',
      '[$where]',
      '[]',
      '[0]',
      '[a][b]',
      '[__proto__]',
      '%5B%24ne%5D',
      '[',
      ']',
      '.$ne',
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// Mutating a valid request
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const KEEP = Symbol('keep');
const DROP = Symbol('drop');
type Op = typeof KEEP | typeof DROP | string;

/** A field mutation: drop the field, or put raw hostile JSON there. */
const fieldOp = (json: fc.Arbitrary<string>): fc.Arbitrary<Op> =>
  fc.oneof({ weight: 1, arbitrary: fc.constant<Op>(DROP) }, { weight: 3, arbitrary: json as fc.Arbitrary<Op> });

/**
 * Up to `max` fields of `keys` to mutate, by index. Few at a time: a request with every field
 * wrong only ever reaches the validator; one wrong field among valid ones reaches the code after it.
 */
const mutations = <T>(keys: string[], op: fc.Arbitrary<T>, max = 3): fc.Arbitrary<Map<number, T>> =>
  fc.array(fc.tuple(fc.nat({ max: keys.length - 1 }), op), { maxLength: max }).map((list) => new Map(list));

/** Every node below the root, for a replacement deep inside (a goal's payout, a cap's limit…). */
function paths(value: Json, path: (string | number)[] = []): (string | number)[][] {
  const here = path.length === 0 ? [] : [path];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => paths(v, [...path, i]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...path, k]))];
  return here;
}

const PLACEHOLDER = '__FUZZ_VALUE__';
function replaceAt(base: Json, path: (string | number)[], raw: string): string {
  const copy = JSON.parse(JSON.stringify(base)) as Json;
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  parent[path[path.length - 1]!] = PLACEHOLDER;
  const text = JSON.stringify(copy);
  const at = text.indexOf(`"${PLACEHOLDER}"`);
  return text.slice(0, at) + raw + text.slice(at + PLACEHOLDER.length + 2);
}

/** The base object as JSON text, with fields kept, dropped, replaced, nested values replaced, and extras (possibly duplicate keys). */
function jsonBody(base: Record<string, Json>): fc.Arbitrary<string> {
  const keys = Object.keys(base);
  const nested = paths(base).filter((p) => p.length > 1);
  return fc
    .record({
      ops: mutations(keys, fieldOp(hostileJson)),
      deep: nested.length > 0 ? fc.option(fc.tuple(fc.nat({ max: nested.length - 1 }), hostileJson), { freq: 2 }) : fc.constant(null),
      extras: fc.array(fc.tuple(fc.oneof(jsonKey, fc.constantFrom(...keys)), hostileJson), { maxLength: 2 }),
    })
    .map(({ ops, deep, extras }) => {
      const members: string[] = [];
      keys.forEach((key, i) => {
        const op = ops.get(i) ?? KEEP;
        if (op === DROP) return;
        let raw = JSON.stringify(base[key]);
        if (op !== KEEP) raw = op as string;
        else if (deep && nested[deep[0]]![0] === key) raw = replaceAt(base[key]!, nested[deep[0]]!.slice(1), deep[1]);
        members.push(`${JSON.stringify(key)}:${raw}`);
      });
      for (const [key, raw] of extras) members.push(`${JSON.stringify(key)}:${raw}`);
      return `{${members.join(',')}}`;
    });
}

const invalidUtf8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xed, 0xa0, 0x80]);

/** A whole body: usually the mutated JSON, sometimes something else entirely. */
function body(base: Record<string, Json>): fc.Arbitrary<Buffer> {
  const json = jsonBody(base);
  return fc.oneof(
    { weight: 10, arbitrary: json.map((t) => Buffer.from(t, 'utf8')) },
    { weight: 1, arbitrary: hostileJson.map((t) => Buffer.from(t, 'utf8')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    {
      weight: 1,
      arbitrary: fc.tuple(json, fc.nat()).map(([t, n]) => Buffer.from(t.slice(0, n % (t.length + 1)), 'utf8')),
    }, // truncated
    {
      weight: 1,
      arbitrary: fc.tuple(json, fc.nat()).map(([t, n]) => {
        const b = Buffer.from(t, 'utf8');
        const at = n % (b.length + 1);
        return Buffer.concat([b.subarray(0, at), invalidUtf8, b.subarray(at)]);
      }),
    },
    { weight: 1, arbitrary: form(stringValues(base)).map((t) => Buffer.from(t, 'latin1')) },
  );
}

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      'application/json; charset=made-up',
      'application/vnd.api+json',
      'application/csp-report',
      'application/json-patch+json',
      '*/*',
      'application/octet-stream',
      'JSON',
      'application/json, text/html',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  },
);

/** String-valued fields of a base, for query strings and forms. */
const stringValues = (base: Record<string, Json>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(base).flatMap(([k, v]) =>
      typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? [[k, String(v)]] : [],
    ),
  );

/** `k=v&…` from a base: fields kept, dropped, re-valued, bracketed, repeated, plus strangers. */
function form(base: Record<string, string>, aliases: string[] = []): fc.Arbitrary<string> {
  const keys = Object.keys(base);
  const encodedKey = pct;
  const part = fc.tuple(
    fc.oneof(fc.constantFrom(...keys, ...aliases, '__proto__', 'constructor', '$where', 'toString'), shortString.map(pct)),
    keySuffix,
    fc.option(wireValue, { freq: 8 }),
  );
  return fc
    .record({
      // Per mutated field: drop it (null), or give it another value and/or a bracket suffix.
      ops: mutations(keys, fc.option(fc.tuple(fc.option(wireValue, { freq: 4 }), keySuffix), { freq: 5 })),
      extras: fc.array(part, { maxLength: 3 }),
      order: fc.nat(),
      separator: fc.constantFrom('&', '&', '&', '&', '&&', ';', '&amp;'),
    })
    .map(({ ops, extras, order, separator }) => {
      const parts: string[] = [];
      keys.forEach((k, i) => {
        const op = ops.get(i);
        if (op === null) return;
        const [value, suffix] = op ?? [null, ''];
        parts.push(`${encodedKey(k)}${suffix}=${value ?? pct(base[k]!)}`);
      });
      for (const [k, suffix, v] of extras) parts.push(v === null ? `${k}${suffix}` : `${k}${suffix}=${v}`);
      const rotate = parts.length === 0 ? 0 : order % parts.length;
      return [...parts.slice(rotate), ...parts.slice(0, rotate)].join(separator);
    });
}

/** A path id: the real one most of the time, else something hostile, percent-encoded or raw. */
const pathId = (real: () => string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(null).map(() => real()) },
    { weight: 1, arbitrary: shortString.map((s) => pct(s) || 'x') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('%', '%C3%28', '%00', '..', '%2F..', '__proto__', 'constructor', '%24ne', 'x'.repeat(65)),
    },
    { weight: 1, arbitrary: fc.constant(null).map(() => real().toUpperCase()) },
  );

const forwardedFor = fc.option(
  fc.oneof(
    fc.ipV4(),
    fc.ipV6(),
    fc.constantFrom('not-an-ip, <script>', '999.999.999.999', 'fe80::1%eth0', '1.'.repeat(100), '::ffff:1.2.3.4', '', ', , ,', 'unknown'),
  ),
  { freq: 3 },
);

const withForwarded = (headers: Record<string, string>, xff: string | null) =>
  xff === null ? headers : { ...headers, 'X-Forwarded-For': xff };

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

const postbackAliases = [
  'clickid',
  'cid',
  'subid',
  'transaction_id',
  'action_id',
  'order_id',
  'tid',
  'sum',
  'goal_id',
  'event',
  'secure',
  'security_token',
  'user_ip',
];
const postbackBase = (): Record<string, string> => ({
  click_id: w.clickId,
  token: w.token,
  txid: 'fuzz-base-order',
  amount: '12.50',
  currency: 'USD',
  goal: 'sale',
  status: 'pending',
  ip: '198.51.100.7',
});

/** A postback that answers 200 repeats the setup conversion: it is a duplicate, never a new one. */
const onlyDuplicates = (res: request.Response) => {
  if (res.status === 200 && res.body.result !== 'duplicate') throw new Error(`a fuzzed postback was not a duplicate: ${res.text}`);
};

describe('/postback', () => {
  it('GET with a fuzzed query string', async () => {
    const arb = fc.record({
      query: form(postbackBase(), postbackAliases),
      xff: forwardedFor,
      headerToken: fc.option(
        fc.oneof(
          fc.constant(null).map(() => w.token),
          shortString.map((s) => s.replace(/[^\x20-\x7e]/g, '')),
        ),
        { freq: 4 },
      ),
    });
    await run(
      fc.asyncProperty(
        arb.map(({ query, xff, headerToken }): Req => ({
          method: 'get',
          url: `/postback?${query}`,
          headers: withForwarded(headerToken === null ? {} : { 'X-Postback-Token': headerToken }, xff),
        })),
        async (r) => {
          await check(r, { proof: carriesToken, also: onlyDuplicates });
        },
      ),
      RUNS.postback,
    );
  });

  it('POST with a fuzzed JSON (or not JSON) body, and sometimes a query string too', async () => {
    const base = postbackBase() as Record<string, Json>;
    const arb = fc.record({
      body: body(base),
      type: contentType,
      query: fc.option(form(postbackBase(), postbackAliases), { freq: 4 }),
      xff: forwardedFor,
    });
    await run(
      fc.asyncProperty(
        arb.map(({ body: b, type, query, xff }): Req => ({
          method: 'post',
          url: query === null ? '/postback' : `/postback?${query}`,
          headers: withForwarded({ 'Content-Type': type }, xff),
          body: b,
        })),
        async (r) => {
          await check(r, { proof: carriesToken, also: onlyDuplicates });
        },
      ),
      RUNS.postback,
    );
  });

  it('POST with a fuzzed form body', async () => {
    const arb = fc.record({
      form: form(postbackBase(), postbackAliases),
      type: fc.oneof(
        { weight: 5, arbitrary: fc.constant('application/x-www-form-urlencoded') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'application/x-www-form-urlencoded; charset=latin1',
            'application/x-www-form-urlencoded; charset=utf-16',
            'text/plain',
            'application/json',
          ),
        },
      ),
    });
    await run(
      fc.asyncProperty(
        arb.map(({ form: text, type }): Req => ({
          method: 'post',
          url: '/postback',
          headers: { 'Content-Type': type },
          body: Buffer.from(text, 'latin1'),
        })),
        async (r) => {
          await check(r, { proof: carriesToken, also: onlyDuplicates });
        },
      ),
      RUNS.postback,
    );
  });
});

describe('/postback/status and /click', () => {
  it("GET /postback/status with a fuzzed query string answers only with the token owner's conversions", async () => {
    const base = () => ({ conversion_id: w.conversionId, txid: 'fuzz-base-order', token: w.token });
    await run(
      fc.asyncProperty(
        form(base(), ['secure', 'security_token', 'verification_token']).map((q): Req => ({
          method: 'get',
          url: `/postback/status?${q}`,
          headers: {},
        })),
        async (r) => {
          await check(r, {
            proof: carriesToken,
            also: (res) => {
              if (res.status !== 200) return;
              const ids = (res.body.conversions as { conversion_id: string }[]).map((c) => c.conversion_id);
              if (ids.some((id) => id !== w.conversionId)) throw new Error(`someone else's conversion in a receipt: ${res.text}`);
            },
          });
        },
      ),
      RUNS.status,
    );
  });

  it('GET /click with a fuzzed query string and headers', async () => {
    const base = () => ({ offer_id: w.offerId, aff_id: w.affiliateId, sub1: 's1', sub2: 's2', sub5: 's5' });
    const arb = fc.record({
      query: form(base()),
      xff: forwardedFor,
      ua: fc.option(
        shortString.map((s) => s.replace(/[^\x20-\x7e]/g, '')),
        { freq: 3 },
      ),
      path: fc.constantFrom('/click', '/click', '/click', '/CLICK', '/click/'),
    });
    await run(
      fc.asyncProperty(
        arb.map(({ query, xff, ua, path }): Req => ({
          method: 'get',
          url: `${path}?${query}`,
          headers: withForwarded(ua === null ? {} : { 'User-Agent': ua }, xff),
        })),
        async (r) => {
          // A 302 stores its click by design; a refusal stores nothing.
          const res = await check(r, { writes: true });
          if (res.status === 302 && !/^https:\/\/shop\.example\/land\?/.test(String(res.headers.location)))
            throw new Error(`a redirect elsewhere: ${res.headers.location}`);
        },
      ),
      RUNS.click,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The admin API
// ---------------------------------------------------------------------------------------------

const goalBase: Json = {
  key: 'sale',
  name: 'Sale',
  payout: { type: 'fixed', amount: '5.00' },
  revenue: { type: 'percent', amount: '10' },
  default_status: 'approved',
  hold_hours: 24,
  allow_multiple: false,
};
const offerBase = (advertiserId: string): Record<string, Json> => ({
  advertiser_id: advertiserId,
  name: 'Fuzzed offer',
  url: 'https://shop.example/land?cid={click_id}&s1={sub1}',
  currency: 'USD',
  attribution_window_hours: 48,
  default_goal: 'sale',
  goals: [goalBase],
  caps: [
    {
      goal: 'sale',
      metric: 'conversions',
      period: 'day',
      limit: '10',
      per_affiliate: false,
      timezone: 'Europe/Berlin',
      on_exceed: 'reject',
    },
  ],
  fraud: {
    min_seconds_to_convert: 1,
    max_seconds_to_convert: 3600,
    max_conversions_per_ip_per_day: 5,
    require_same_ip: false,
    blocked_sub_ids: ['bad'],
    action: 'hold',
  },
  affiliate_overrides: [{ affiliate_id: 'aff_vip', goal: 'sale', payout: { type: 'fixed', amount: '6' } }],
  active: true,
});
const endpointBase = (): Record<string, Json> => ({
  url: 'https://affiliate.example/pb?c={conversion_id}&s={status}',
  method: 'POST',
  events: ['approved', 'reversed'],
  body: '{"id":"{event_id}","status":"{status}"}',
  signing_secret: `whsec_${Buffer.alloc(24, 7).toString('base64')}`,
  active: true,
});

/** Admin writes: the path (with an id where there is one) and the valid body the fuzzer mutates. */
const adminWrites: {
  name: string;
  method: Method;
  path: () => fc.Arbitrary<string>;
  base: () => Record<string, Json>;
}[] = [
  {
    name: 'POST /api/advertisers',
    method: 'post',
    path: () => fc.constant('/api/advertisers'),
    base: () => ({ name: 'Fuzzed advertiser', ip_allowlist: ['203.0.113.0/24', '2001:db8::/32'] }),
  },
  {
    name: 'POST /api/affiliates',
    method: 'post',
    path: () => fc.constant('/api/affiliates'),
    base: () => ({ name: 'Fuzzed affiliate' }),
  },
  {
    name: 'POST /api/offers',
    method: 'post',
    path: () => fc.constant('/api/offers'),
    base: () => offerBase(w.advertiserId),
  },
  {
    name: 'POST /api/affiliates/:id/postbacks',
    method: 'post',
    path: () => pathId(() => w.victimAffiliateId).map((id) => `/api/affiliates/${id}/postbacks`),
    base: endpointBase,
  },
  {
    name: 'PATCH /api/advertisers/:id',
    method: 'patch',
    path: () => pathId(() => w.victimAdvertiserId).map((id) => `/api/advertisers/${id}`),
    base: () => ({ name: 'Renamed', ip_allowlist: ['198.51.100.0/24'], active: true }),
  },
  {
    name: 'PATCH /api/affiliates/:id',
    method: 'patch',
    path: () => pathId(() => w.victimAffiliateId).map((id) => `/api/affiliates/${id}`),
    base: () => ({ name: 'Renamed', active: true }),
  },
  {
    name: 'PATCH /api/offers/:id',
    method: 'patch',
    path: () => pathId(() => w.victimOfferId).map((id) => `/api/offers/${id}`),
    base: () => {
      const { advertiser_id: _a, ...rest } = offerBase(w.victimAdvertiserId);
      return rest;
    },
  },
  {
    name: 'PATCH /api/postbacks/:id',
    method: 'patch',
    path: () => pathId(() => w.victimEndpointId).map((id) => `/api/postbacks/${id}`),
    base: () => {
      const { signing_secret: _s, ...rest } = endpointBase();
      return { ...rest, signing_secret: null };
    },
  },
];

describe('the admin API', () => {
  it.each(adminWrites.map((a) => [a.name, a] as const))('%s with a fuzzed body: refusals store nothing', async (_name, write) => {
    const arb = fc.record({
      path: write.path(),
      body: body(write.base()),
      type: contentType,
      casing: fc.constantFrom('as-is', 'as-is', 'as-is', 'upper', 'slash'),
    });
    await run(
      fc.asyncProperty(
        arb.map(({ path, body: b, type, casing }): Req => ({
          method: write.method,
          url: casing === 'upper' ? path.replace('/api/', '/API/') : casing === 'slash' ? `${path}/` : path,
          headers: { 'Content-Type': type, Authorization: `Bearer ${TEST_ADMIN_KEY}` },
          body: b,
        })),
        async (r) => {
          await check(r, { proof: carriesAdminKey });
        },
      ),
      RUNS.adminWrite,
    );
  });

  const lists: { path: () => string; base: () => Record<string, string> }[] = [
    { path: () => '/api/advertisers', base: () => ({ active: 'true', limit: '5', offset: '0' }) },
    { path: () => '/api/affiliates', base: () => ({ active: 'false', limit: '5', offset: '0' }) },
    {
      path: () => '/api/offers',
      base: () => ({ advertiser_id: w.advertiserId, active: 'true', limit: '5', offset: '0' }),
    },
    {
      path: () => '/api/conversions',
      base: () => ({
        offer_id: w.offerId,
        affiliate_id: w.affiliateId,
        advertiser_id: w.advertiserId,
        status: 'pending',
        from: '2020-01-01T00:00:00Z',
        to: '2100-01-01T00:00:00Z',
        limit: '5',
        offset: '0',
      }),
    },
    {
      path: () => '/api/deliveries',
      base: () => ({
        affiliate_id: w.victimAffiliateId,
        endpoint_id: w.victimEndpointId,
        status: 'dead_lettered',
        from: '2020-01-01T00:00:00Z',
        limit: '5',
        offset: '0',
      }),
    },
    { path: () => `/api/affiliates/${w.victimAffiliateId}/postbacks`, base: () => ({ limit: '5' }) },
    { path: () => `/api/affiliates/${w.affiliateId}/balance`, base: () => ({ currency: 'USD' }) },
    { path: () => `/api/conversions/${w.conversionId}`, base: () => ({ fields: 'status' }) },
    { path: () => `/api/conversions/${w.conversionId}/history`, base: () => ({ limit: '5' }) },
    {
      path: () => '/api/reports',
      base: () => ({ group_by: 'day,offer', from: '2026-01-01', to: '2026-02-01', timezone: 'Europe/Berlin' }),
    },
  ];

  it('GET lists and reads with fuzzed query strings change nothing', async () => {
    const arb = fc.nat({ max: lists.length - 1 }).chain((which) => form(lists[which]!.base()).map((q) => ({ which, q })));
    await run(
      fc.asyncProperty(
        arb.map(({ which, q }): Req => ({
          method: 'get',
          url: `${lists[which]!.path()}?${q}`,
          headers: { Authorization: `Bearer ${TEST_ADMIN_KEY}` },
        })),
        async (r) => {
          await check(r, { proof: carriesAdminKey });
        },
      ),
      RUNS.adminList,
    );
  });

  it('without the admin key, any method on any admin path in any spelling is refused and stores nothing', async () => {
    const paths = () => [
      '/api/advertisers',
      `/api/advertisers/${w.victimAdvertiserId}`,
      '/api/affiliates',
      `/api/affiliates/${w.victimAffiliateId}`,
      `/api/affiliates/${w.victimAffiliateId}/postbacks`,
      `/api/affiliates/${w.affiliateId}/balance`,
      '/api/offers',
      `/api/offers/${w.victimOfferId}`,
      `/api/postbacks/${w.victimEndpointId}`,
      '/api/conversions',
      `/api/conversions/${w.conversionId}/status`,
      '/api/deliveries/redeliver',
      '/api',
    ];
    const arb = fc.record({
      which: fc.nat({ max: paths().length - 1 }),
      method: fc.constantFrom<Method>('get', 'post', 'patch', 'delete'),
      // The router matches paths case-insensitively and with a trailing slash: so must the key check.
      spelling: fc.mixedCase(fc.constant('api')),
      slash: fc.boolean(),
      auth: fc.option(
        fc.oneof(
          fc.constantFrom(
            'Bearer',
            'Bearer ',
            `Basic ${Buffer.from(`a:${TEST_ADMIN_KEY}`).toString('base64')}`,
            `Bearer ${TEST_ADMIN_KEY}x`,
            `Bearer ${TEST_ADMIN_KEY.toUpperCase()}`,
            `bearer  ${TEST_ADMIN_KEY.slice(1)}`,
          ),
          shortString.map((s) => `Bearer ${s.replace(/[^\x21-\x7e]/g, '')}`),
        ),
        { freq: 2 },
      ),
      body: body({ name: 'Unauthorised', status: 'approved', active: false }),
    });
    await run(
      fc.asyncProperty(
        arb.map(({ which, method, spelling, slash, auth, body: b }): Req => {
          const path = paths()[which]!.replace('/api', `/${spelling}`) + (slash ? '/' : '');
          return {
            method,
            url: path,
            headers: { 'Content-Type': 'application/json', ...(auth === null ? {} : { Authorization: auth }) },
            body: method === 'get' || method === 'delete' ? undefined : b,
          };
        }),
        async (r) => {
          const res = await check(r, { proof: carriesAdminKey });
          // The body parser runs before the key check, so an unparseable body is a 400 first.
          if (res.status !== 401 && res.body.error !== 'invalid_body')
            throw new Error(`expected 401 without the key, got ${res.status} ${res.text.slice(0, 200)}`);
        },
      ),
      RUNS.noAuth,
    );
  });
});

describe('after the fuzzing', () => {
  it('no workflow was started by any fuzzed request', async () => {
    // The visibility store is eventually consistent: a fresh postback is the barrier. Once its
    // workflow is listed, one started earlier by a fuzzed request would be listed too.
    const s = await f.setup();
    const res = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token });
    expect([res.status, res.body.result]).toEqual([200, 'accepted']);
    await waitFor('the barrier workflow in the visibility store', async () => {
      for await (const wf of stack.client.workflow.list({
        query: `${workflowQuery()} AND WorkflowId = 'conversion-${res.body.conversion_id}'`,
      }))
        return wf;
      return undefined;
    });
    expect(await countWorkflows()).toBe(workflowsBefore + 1);
    expect(await stack.models.Conversion.countDocuments({ click_id: w.clickId })).toBe(1);
  });

  it('the ingress log recorded the fuzzed postbacks without the token, whatever they looked like', async () => {
    const rows = await waitFor('ingress rows', async () => {
      const all = await stack.models.IngressLogEntry.find().lean();
      return all.length > 100 ? all : undefined;
    });
    const text = JSON.stringify(rows);
    for (const secret of [w.token, sha256(w.token), sha256(TEST_ADMIN_KEY)]) expect(text).not.toContain(secret);
  });
});
