import crypto from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type request from 'supertest';
import { secretMatches, sha256 } from '../../api/auth';
import { useTestStack } from '../support/preamble';
import { TEST_ADMIN_KEY } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * Invariant 6: no input makes the API answer 5xx; bad input gets a 4xx with a JSON
 * `{ error, message }` body, and a refused request stores nothing.
 * Invariant 7: secrets (the admin key, postback tokens, their digests) never appear in a response.
 *
 * A table-driven sweep: every route × hostile bodies, fields, query strings, ids and headers.
 * Each case records a failure instead of stopping, so one run lists every offending input.
 */

const { stack, f } = useTestStack('hostile');

/** Things the sweep points at. `victim*` entities are the targets of PATCH/DELETE by hostile id. */
interface World {
  advertiserId: string;
  token: string;
  affiliateId: string;
  offerId: string;
  clickId: string;
  conversionId: string;
  txid: string;
  victimAdvertiserId: string;
  victimAffiliateId: string;
  victimOfferId: string;
}
let w: World;

beforeAll(async () => {
  const s = await f.setup();
  const txid = 'hostile-base-order';
  // A pending conversion for the click, without a txid: every accepted variant of the base
  // postback below (with its txid, without it, with another one) is then a "duplicate" that
  // starts nothing, and POST .../status with status=pending is a no-op.
  const pb = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, status: 'pending' });
  if (pb.status !== 200) throw new Error(`setup postback: ${pb.status} ${pb.text}`);
  const conversionId: string = pb.body.conversion_id;
  await waitFor(
    'the setup conversion to be pending',
    async () => (await stack.models.Conversion.findById(conversionId).lean())?.status === 'pending',
  );
  // The update waits until the workflow is idle (not busy); after it answers, nothing is in flight.
  const settle = await f.admin('post', `/api/conversions/${conversionId}/status`).send({ status: 'pending' });
  if (settle.status !== 200 || settle.body.changed !== false) throw new Error(`setup settle: ${settle.status} ${settle.text}`);

  const victimAdv = await f.advertiser({ name: 'Victim advertiser' });
  const victimAff = await f.affiliate({ name: 'Victim affiliate' });
  const victimOffer = await f.offer(victimAdv.id, { name: 'Victim offer' });
  w = {
    advertiserId: s.advertiser.id,
    token: s.token,
    affiliateId: s.affiliate.id,
    offerId: s.offer.id,
    clickId: s.clickId,
    conversionId,
    txid,
    victimAdvertiserId: victimAdv.id,
    victimAffiliateId: victimAff.id,
    victimOfferId: victimOffer.id,
  };
});

// ---------------------------------------------------------------------------------------------
// Requests and checks
// ---------------------------------------------------------------------------------------------

type Method = 'get' | 'post' | 'patch' | 'delete';

interface Case {
  /** Shown in the failure list. */
  name: string;
  method: Method;
  /** Path, with any query string already encoded exactly as it should go on the wire. */
  url: string;
  body?: { contentType?: string; data: string | Buffer; contentEncoding?: string };
  headers?: Record<string, string>;
  /** Send no Authorization header even under /api (default: the admin key under /api). */
  noAuth?: boolean;
  /** The input is bad for this route whatever the state: it must be refused with a 4xx. */
  refuse: boolean;
}

const rawBytes = ((body: Buffer) => body) as unknown as (body: unknown) => string;

function send(c: Case): Promise<request.Response> {
  let req = f.http()[c.method](c.url);
  if (c.url.startsWith('/api') && !c.noAuth) req = req.set('Authorization', `Bearer ${TEST_ADMIN_KEY}`);
  for (const [name, value] of Object.entries(c.headers ?? {})) req = req.set(name, value);
  if (c.body) {
    if (c.body.contentType !== undefined) req = req.set('Content-Type', c.body.contentType);
    if (c.body.contentEncoding !== undefined) req = req.set('Content-Encoding', c.body.contentEncoding);
    // The bytes go out exactly as given: without an identity serializer superagent turns a
    // Buffer sent as application/json into {"type":"Buffer","data":[…]}.
    req = req.serialize(rawBytes).send(typeof c.body.data === 'string' ? Buffer.from(c.body.data, 'utf8') : c.body.data);
  }
  return req;
}

/** What a refused request must not change: every collection's size and the documents we point at. */
async function fingerprint(): Promise<string> {
  const m = stack.models;
  const counts = await Promise.all([
    m.Advertiser.countDocuments(),
    m.Affiliate.countDocuments(),
    m.Offer.countDocuments(),
    m.Click.countDocuments(),
    m.Conversion.countDocuments(),
    m.CapCounter.countDocuments(),
    m.LedgerEntry.countDocuments(),
  ]);
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
    m.Conversion.findById(w.conversionId).lean(),
  ]);
  return JSON.stringify({ counts, docs });
}

function secrets(): string[] {
  return [TEST_ADMIN_KEY, w.token, sha256(w.token), sha256(TEST_ADMIN_KEY)];
}

/** Runs the cases one after another; returns one line per broken expectation. */
async function sweep(cases: Case[]): Promise<string[]> {
  const failures: string[] = [];
  for (const c of cases) {
    const before = await fingerprint();
    let res: request.Response;
    try {
      res = await send(c);
    } catch (err) {
      failures.push(`${c.name}: the request failed without an HTTP answer: ${(err as Error).message}`);
      continue;
    }
    const summary = `${res.status} ${res.text.slice(0, 200)}`;
    if (res.status >= 500) {
      failures.push(`${c.name}: ${summary}`);
      continue;
    }
    if (c.refuse && (res.status < 400 || res.status >= 500)) failures.push(`${c.name}: expected a 4xx refusal, got ${summary}`);
    if (res.status >= 400) {
      const body = res.body as { error?: unknown; message?: unknown } | undefined;
      const json = /^application\/json/.test(String(res.headers['content-type'] ?? ''));
      if (!json || typeof body?.error !== 'string' || typeof body.message !== 'string' || body.message.length === 0) {
        failures.push(
          `${c.name}: a 4xx without a JSON { error, message } body: ${summary} (content-type ${String(res.headers['content-type'])})`,
        );
      }
      const after = await fingerprint();
      // A click its offer cannot take is recorded with its reason (README "Trafficback"), even when
      // it ends at a 404: that answer stores exactly that click; any other refusal stores nothing.
      const reason = res.headers['x-trafficback-reason'];
      if (reason) {
        const id = /click (clk_\w+) is recorded/.exec(String(body?.message))?.[1];
        const click = id ? await stack.models.Click.findById(id).lean() : null;
        if (body?.error !== reason || (click?.trafficback as { reason?: string } | undefined)?.reason !== reason)
          failures.push(`${c.name}: a trafficback ${res.status} (${String(reason)}) whose click is not stored with its reason`);
        const counts = (fp: string) => (JSON.parse(fp) as { counts: number[] }).counts;
        const added = counts(after).map((n, i) => n - counts(before)[i]!);
        if (added.join() !== '0,0,0,1,0,0,0') failures.push(`${c.name}: a trafficback ${res.status} changed more than its one click`);
      } else if (after !== before) failures.push(`${c.name}: refused with ${res.status} but the database changed`);
    }
    const visible = `${res.text}\n${JSON.stringify(res.headers)}`;
    for (const secret of secrets()) if (visible.includes(secret)) failures.push(`${c.name}: a secret appears in the response`);
  }
  if ((Object.prototype as Record<string, unknown>).polluted !== undefined || ({} as Record<string, unknown>).polluted !== undefined) {
    failures.push('Object.prototype was polluted');
  }
  return failures;
}

// ---------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------

const DEPTH = 10_000;
const deepArray = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
const deepObject = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);
const deepProto = '{"a":'.repeat(DEPTH) + '{"__proto__":{"polluted":"yes"}}' + '}'.repeat(DEPTH);
const KB = 1024;

type Kind = 'object' | 'array' | 'scalar';

/**
 * A JSON value put where a field's value goes, as raw JSON text (so that `__proto__` keys,
 * 1e400 and lone surrogates get through exactly). `badFor` lists the kinds of field for which
 * the value can never be valid: an object where a string or a list goes, anything 10 000 deep…
 */
interface HostileValue {
  name: string;
  raw: string;
  badFor: Kind[];
}

const ALL: Kind[] = ['object', 'array', 'scalar'];
const hostileValues: HostileValue[] = [
  { name: '{"$gt":""}', raw: '{"$gt":""}', badFor: ['array', 'scalar'] },
  { name: '{"$where":"1"}', raw: '{"$where":"1"}', badFor: ['array', 'scalar'] },
  { name: '{"$ne":null}', raw: '{"$ne":null}', badFor: ['array', 'scalar'] },
  { name: '{"$regex":".*"}', raw: '{"$regex":".*"}', badFor: ['array', 'scalar'] },
  { name: '[{"$gt":""}]', raw: '[{"$gt":""}]', badFor: ALL },
  { name: 'an array of strings', raw: '["a","b"]', badFor: ['object', 'scalar'] },
  { name: 'an empty array', raw: '[]', badFor: ['object', 'scalar'] },
  { name: '{"__proto__":…}', raw: '{"__proto__":{"polluted":"yes"}}', badFor: ALL },
  {
    name: '{"constructor":{"prototype":…}}',
    raw: '{"constructor":{"prototype":{"polluted":"yes"}}}',
    badFor: ['array', 'scalar'],
  },
  { name: `an array nested ${DEPTH} deep`, raw: deepArray, badFor: ALL },
  { name: `an object nested ${DEPTH} deep`, raw: deepObject, badFor: ['array', 'scalar'] },
  { name: 'a 60 KB string', raw: JSON.stringify('x'.repeat(60 * KB)), badFor: ALL },
  { name: 'a number', raw: '12345', badFor: ['object', 'array'] },
  { name: 'a negative number', raw: '-1', badFor: ['object', 'array'] },
  { name: 'a fraction', raw: '0.5', badFor: ['object', 'array'] },
  { name: '1e400 (Infinity)', raw: '1e400', badFor: ['object', 'array'] },
  { name: '-1e400 (-Infinity)', raw: '-1e400', badFor: ['object', 'array'] },
  { name: '2^64', raw: '18446744073709551616', badFor: ['object', 'array'] },
  { name: 'a numeric string', raw: '"42"', badFor: ['object', 'array'] },
  { name: 'true', raw: 'true', badFor: ['object', 'array'] },
  { name: 'null', raw: 'null', badFor: [] },
  { name: 'an empty string', raw: '""', badFor: ['object', 'array'] },
  { name: 'NUL bytes', raw: '"a\\u0000b\\u0000"', badFor: ['object', 'array'] },
  { name: 'a lone surrogate', raw: '"x\\ud800y"', badFor: ['object', 'array'] },
  { name: 'the string "$gt"', raw: '"$gt"', badFor: ['object', 'array'] },
  { name: 'a JSON string of an operator', raw: JSON.stringify('{"$gt":""}'), badFor: ['object', 'array'] },
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every node below the root with the kind of value it holds. */
function nodes(value: Json, path: Path = []): { path: Path; kind: Kind }[] {
  const here =
    path.length === 0
      ? []
      : [
          {
            path,
            kind: (Array.isArray(value) ? 'array' : value !== null && typeof value === 'object' ? 'object' : 'scalar') as Kind,
          },
        ];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => nodes(v, [...path, i]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => nodes(v, [...path, k]))];
  return here;
}

const PLACEHOLDER = '__HOSTILE_VALUE__';

/** `base` as JSON text with the node at `path` replaced by raw JSON text. */
function withValue(base: Json, path: Path, raw: string): string {
  const copy = JSON.parse(JSON.stringify(base)) as Json;
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  parent[path[path.length - 1]!] = PLACEHOLDER;
  const text = JSON.stringify(copy);
  const at = text.indexOf(`"${PLACEHOLDER}"`);
  return text.slice(0, at) + raw + text.slice(at + PLACEHOLDER.length + 2);
}

/** The same base with one more top-level member given as raw JSON text. */
const withMember = (base: Json, key: string, raw: string) => `{${JSON.stringify(key)}:${raw},${JSON.stringify(base).slice(1)}`;

/** Every field of `base` × every hostile value. */
function fieldCases(route: string, method: Method, url: string, base: Json): Case[] {
  return nodes(base).flatMap(({ path, kind }) =>
    hostileValues.map((v) => ({
      name: `${route} ${path.join('.')} = ${v.name}`,
      method,
      url,
      body: { contentType: 'application/json', data: withValue(base, path, v.raw) },
      refuse: v.badFor.includes(kind),
    })),
  );
}

const invalidUtf8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xed, 0xa0, 0x80]);

/** Whole-body attacks; `needsBody`: the route refuses an empty body (it has required fields). */
function bodyCases(route: string, method: Method, url: string, base: Json, firstField: string, needsBody: boolean): Case[] {
  const json = JSON.stringify(base);
  const c = (name: string, data: string | Buffer, contentType: string | undefined, refuse: boolean, contentEncoding?: string): Case => ({
    name: `${route} body: ${name}`,
    method,
    url,
    body: { data, contentType, contentEncoding },
    refuse,
  });
  const firstValue = JSON.stringify((base as Record<string, Json>)[firstField]);
  const withBytes = (bytes: Buffer) =>
    Buffer.concat([Buffer.from(json.slice(0, json.indexOf(firstValue) + 1)), bytes, Buffer.from(json.slice(json.indexOf(firstValue) + 1))]);
  return [
    c('a JSON array', `[${json}]`, 'application/json', true),
    c('a JSON string', '"hello"', 'application/json', true),
    c('a JSON number', '42', 'application/json', true),
    c('JSON null', 'null', 'application/json', true),
    c('JSON true', 'true', 'application/json', true),
    c('truncated JSON', json.slice(0, -3), 'application/json', true),
    c('JSON with a trailing comma', `${json.slice(0, -1)},}`, 'application/json', true),
    c('an empty JSON body', '', 'application/json', needsBody),
    c(`an array nested ${DEPTH} deep`, deepArray, 'application/json', true),
    c(`an object nested ${DEPTH} deep`, deepObject, 'application/json', true),
    c(`an object nested ${DEPTH} deep, then __proto__`, deepProto, 'application/json', true),
    c(`the base with a member nested ${DEPTH} deep`, withMember(base, 'deep', deepObject), 'application/json', false),
    c('__proto__ at the top', withMember(base, '__proto__', '{"polluted":"yes"}'), 'application/json', true),
    c('__proto__ as the only member', '{"__proto__":{"polluted":"yes"}}', 'application/json', true),
    c('constructor.prototype at the top', withMember(base, 'constructor', '{"prototype":{"polluted":"yes"}}'), 'application/json', false),
    c('a $where member', withMember(base, '$where', '"sleep(10000)"'), 'application/json', false),
    c('a 100 KB JSON body', withMember(base, 'pad', JSON.stringify('x'.repeat(100 * KB))), 'application/json', true),
    c('a 100 KB value in the first field', withValue(base, [firstField], JSON.stringify('x'.repeat(100 * KB))), 'application/json', true),
    c('invalid UTF-8 inside a string', withBytes(invalidUtf8), 'application/json', false),
    c('invalid UTF-8 outside strings', Buffer.concat([invalidUtf8, Buffer.from(json)]), 'application/json', true),
    c('a raw NUL byte inside a string', withBytes(Buffer.from([0x00])), 'application/json', true),
    c('a raw NUL byte between members', Buffer.from(`{\u0000${json.slice(1)}`), 'application/json', true),
    c('a UTF-8 BOM before the JSON', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]), 'application/json', false),
    c('JSON sent as text/plain', json, 'text/plain', needsBody),
    c('XML', '<offer><name>x</name></offer>', 'application/xml', needsBody),
    c('XML as text/xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', 'text/xml', needsBody),
    c(
      'multipart form data',
      '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n',
      'multipart/form-data; boundary=b',
      needsBody,
    ),
    c('no content type', json, undefined, needsBody),
    c('a made-up content type', json, 'application/x-hostile', needsBody),
    c('JSON with an unknown charset', json, 'application/json; charset=made-up', false),
    c('JSON declared UTF-16', json, 'application/json; charset=utf-16', false),
    c('a form with an operator in the first field', `${firstField}[$ne]=x`, 'application/x-www-form-urlencoded', true),
    c('a form with a nested first field', `${firstField}${'[a]'.repeat(1000)}=x`, 'application/x-www-form-urlencoded', true),
    c('a form with a repeated first field', `${firstField}=a&${firstField}=b`, 'application/x-www-form-urlencoded', true),
    c(
      'a form with __proto__ keys',
      '__proto__[polluted]=yes&constructor[prototype][polluted]=yes',
      'application/x-www-form-urlencoded',
      needsBody,
    ),
    // qs keeps an undecodable value as written ("%C3%28%FF%00"): a valid string for some routes.
    c('a form with percent-encoded invalid UTF-8', `${firstField}=%C3%28%FF%00`, 'application/x-www-form-urlencoded', false),
    c('a 100 KB form', `${firstField}=${'x'.repeat(100 * KB)}`, 'application/x-www-form-urlencoded', true),
    c('gzip that is not gzip', json, 'application/json', true, 'gzip'),
    c('a gzip bomb (10 MB inflated)', gzipSync(Buffer.alloc(10 * KB * KB, 0x20)), 'application/json', true, 'gzip'),
    c('an unknown content encoding', json, 'application/json', true, 'x-hostile'),
  ];
}

/** Query-string attacks on a GET route; `base` is the valid query, already encoded. */
function queryCases(
  route: string,
  path: string,
  base: Record<string, string>,
  opts: { required: string[]; repeatedRefused: boolean; paging?: boolean },
): Case[] {
  const encode = (q: Record<string, string>) => Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const without = (key: string) => encode(Object.fromEntries(Object.entries(base).filter(([k]) => k !== key)));
  const c = (name: string, parts: string[], refuse: boolean): Case => ({
    name: `${route} ?${name}`,
    method: 'get',
    url: `${path}?${parts.join('&')}`,
    refuse,
  });
  const cases: Case[] = [];
  for (const key of Object.keys(base)) {
    const required = opts.required.includes(key);
    cases.push(
      c(`${key}[$ne]=x`, [...without(key), `${key}[$ne]=x`], required),
      c(`${key}[$gt]=`, [...without(key), `${key}[$gt]=`], required),
      c(`${key}[]=x`, [...without(key), `${key}[]=x`], required),
      c(`${key}[$regex]=.*`, [...without(key), `${key}[$regex]=.*`], required),
      c(`${key} repeated`, [...encode(base), `${key}=${encodeURIComponent(base[key]!)}`], opts.repeatedRefused),
      c(`${key} repeated with an operator`, [...encode(base), `${key}[$ne]=x`], false),
      c(`${key}=%C3%28 (invalid UTF-8)`, [...without(key), `${key}=%C3%28`], false),
      c(`${key}=%FF%FE%ED%A0%80`, [...without(key), `${key}=%FF%FE%ED%A0%80`], false),
      c(`${key}=%00`, [...without(key), `${key}=%00`], false),
      c(`${key}=<value>%00`, [...without(key), `${key}=${encodeURIComponent(base[key]!)}%00`], false),
      c(`${key}=%`, [...without(key), `${key}=%`], false),
      c(`${key}= (empty)`, [...without(key), `${key}=`], false),
      c(`${key} without =`, [...without(key), key], false),
      c(`${key} = an 8 KB string`, [...without(key), `${key}=${'x'.repeat(8 * KB)}`], false),
      c(`${key} = an operator as JSON`, [...without(key), `${key}=${encodeURIComponent('{"$gt":""}')}`], false),
      c(`${key} = an array as JSON`, [...without(key), `${key}=${encodeURIComponent('["a","b"]')}`], false),
      c(`${key} = a number`, [...without(key), `${key}=12345`], false),
    );
  }
  const all = encode(base);
  cases.push(
    c('__proto__=x', [...all, '__proto__=x'], false),
    c('__proto__[polluted]=yes', [...all, '__proto__[polluted]=yes'], false),
    c('constructor[prototype][polluted]=yes', [...all, 'constructor[prototype][polluted]=yes'], false),
    c('toString=x&hasOwnProperty=x&valueOf=x', [...all, 'toString=x', 'hasOwnProperty=x', 'valueOf=x'], false),
    c('$where=1', [...all, '%24where=1'], false),
    c('a 1000-parameter query', [...all, ...Array.from({ length: 1000 }, (_, i) => `p${i}=${i}`)], false),
    c('a bare %', [...all, '%'], false),
    c('&&&===', [...all, '&&&==='], false),
  );
  if (opts.paging) {
    const paging: [string, string, boolean][] = [
      ['limit', '-1', true],
      ['limit', '0', true],
      ['limit', '501', true],
      ['limit', 'NaN', true],
      ['limit', 'Infinity', true],
      ['limit', '-Infinity', true],
      ['limit', '1e400', true],
      ['limit', '1.5', true],
      ['limit', 'abc', true],
      ['limit', 'null', true],
      ['limit', '9007199254740993', true],
      ['limit', '', false],
      ['limit', '%20', false],
      ['limit', '0x10', false],
      ['limit', '1e1', false],
      ['limit', '%00', false],
      ['offset', '-1', true],
      ['offset', 'NaN', true],
      ['offset', 'Infinity', true],
      ['offset', '1e400', true],
      ['offset', '0.5', true],
      ['offset', '1000001', true],
      ['offset', '-0', false],
      ['offset', '', false],
    ];
    for (const [key, value, refuse] of paging) cases.push(c(`${key}=${value}`, [...all, `${key}=${value}`], refuse));
    cases.push(c('limit repeated', [...all, 'limit=5', 'limit=6'], true), c('limit[$gt]=0', [...all, 'limit[$gt]=0'], false));
  }
  return cases;
}

/** Hostile ids in a path; `template` has `:id`. `padded` ids (spaces around a real id) may be found. */
function idCases(route: string, method: Method, template: string, realId: string, body?: Json): Case[] {
  const ids: [string, string, boolean][] = [
    ['an 8 KB id', 'x'.repeat(8 * KB), true],
    ['a 65-character id', 'x'.repeat(65), true],
    ['%00', '%00', true],
    ['a real id + %00', `${realId}%00`, true],
    ['%C3%28 (invalid UTF-8)', '%C3%28', true],
    ['%FF%FE', '%FF%FE', true],
    ['a bare %', '%', true],
    ['%E0%A4%A (truncated escape)', '%E0%A4%A', true],
    ['$ne', '%24ne', true],
    ['an operator as JSON', encodeURIComponent('{"$gt":""}'), true],
    ['__proto__', '__proto__', true],
    ['constructor', 'constructor', true],
    ['hasOwnProperty', 'hasOwnProperty', true],
    ['an encoded slash', `${realId}%2F..`, true],
    ['..', '..', true],
    ['whitespace only', '%20%20', true],
    ['a real id with a leading space', `%20${realId}`, false],
    ['a real id with a trailing tab', `${realId}%09`, false],
  ];
  return ids.map(([name, id, refuse]) => ({
    name: `${route} id=${name}`,
    method,
    url: template.replace(':id', id),
    body: body === undefined ? undefined : { contentType: 'application/json', data: JSON.stringify(body) },
    refuse,
  }));
}

const goalBase = {
  key: 'sale',
  name: 'Sale',
  payout: { type: 'fixed', amount: '5.00' },
  revenue: { type: 'percent', amount: '10' },
  default_status: 'approved',
  hold_hours: 24,
  allow_multiple: false,
};

function offerBase(advertiserId: string): Json {
  return {
    advertiser_id: advertiserId,
    name: 'Hostile offer',
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
  };
}

/** The valid postback the hostile ones vary: it repeats the setup conversion, so it starts nothing. */
const postbackBase = (): Record<string, string> => ({
  click_id: w.clickId,
  txid: w.txid,
  token: w.token,
  amount: '12.50',
  currency: 'USD',
  goal: 'sale',
  status: 'pending',
  ip: '198.51.100.7',
});

async function expectNoFailures(cases: Case[]) {
  expect(cases.length).toBeGreaterThan(0);
  const failures = await sweep(cases);
  expect(failures).toEqual([]);
}

// The sweeps run hundreds of requests each.
jest.setTimeout(300_000);

// ---------------------------------------------------------------------------------------------
// The sweep
// ---------------------------------------------------------------------------------------------

describe('POST and GET /postback', () => {
  it('every JSON field × hostile values', async () => {
    await expectNoFailures(fieldCases('POST /postback', 'post', '/postback', postbackBase()));
  });

  it('hostile bodies', async () => {
    await expectNoFailures(bodyCases('POST /postback', 'post', '/postback', postbackBase(), 'click_id', true));
  });

  it('hostile query strings, on GET and on POST', async () => {
    const get = queryCases('GET /postback', '/postback', postbackBase(), {
      required: ['click_id', 'token'],
      repeatedRefused: true,
    });
    const post = queryCases('POST /postback', '/postback', postbackBase(), {
      required: ['click_id', 'token'],
      repeatedRefused: true,
    }).map((c) => ({ ...c, method: 'post' as const }));
    await expectNoFailures([...get, ...post]);
  });

  it('hostile headers: X-Postback-Token, X-Forwarded-For, aliases', async () => {
    const { token: _t, ...noToken } = postbackBase();
    const qs = new URLSearchParams(noToken).toString();
    const all = new URLSearchParams(postbackBase()).toString();
    const c = (name: string, url: string, headers: Record<string, string>, refuse: boolean): Case => ({
      name: `GET /postback ${name}`,
      method: 'get',
      url,
      headers,
      refuse,
    });
    await expectNoFailures([
      c('X-Postback-Token of 8 KB', `/postback?${qs}`, { 'X-Postback-Token': 'x'.repeat(8 * KB) }, true),
      c('X-Postback-Token {"$gt":""}', `/postback?${qs}`, { 'X-Postback-Token': '{"$gt":""}' }, true),
      c('X-Postback-Token of spaces', `/postback?${qs}`, { 'X-Postback-Token': '     ' }, true),
      c('X-Postback-Token with high bytes', `/postback?${qs}`, { 'X-Postback-Token': 'pt_\u00ff\u00fe' }, true),
      c('X-Forwarded-For garbage', `/postback?${all}`, { 'X-Forwarded-For': 'not-an-ip, <script>' }, false),
      c('X-Forwarded-For 999.999.999.999', `/postback?${all}`, { 'X-Forwarded-For': '999.999.999.999' }, false),
      c('X-Forwarded-For of 8 KB', `/postback?${all}`, { 'X-Forwarded-For': '1.'.repeat(4 * KB) }, false),
      c('X-Forwarded-For IPv6 with a zone', `/postback?${all}`, { 'X-Forwarded-For': 'fe80::1%eth0' }, false),
      c('an alias as an operator', `/postback?${new URLSearchParams({ token: w.token }).toString()}&clickid[$ne]=x`, {}, true),
      c('an alias repeated', `/postback?${new URLSearchParams({ token: w.token }).toString()}&cid=a&cid=b`, {}, true),
      c('canonical and alias disagree', `/postback?${all}&clickid=${'x'.repeat(300)}`, {}, false),
    ]);
  });
});

describe('GET /postback/status', () => {
  it('hostile query strings', async () => {
    const base = { conversion_id: w.conversionId, token: w.token };
    await expectNoFailures(queryCases('GET /postback/status', '/postback/status', base, { required: ['token'], repeatedRefused: true }));
  });
});

describe('GET /click', () => {
  it('hostile query strings', async () => {
    const base = {
      offer_id: w.offerId,
      aff_id: w.affiliateId,
      sub1: 's1',
      sub2: 's2',
      sub3: 's3',
      sub4: 's4',
      sub5: 's5',
    };
    await expectNoFailures(queryCases('GET /click', '/click', base, { required: ['offer_id', 'aff_id'], repeatedRefused: true }));
  });

  it('hostile headers', async () => {
    const url = `/click?offer_id=${w.offerId}&aff_id=${w.affiliateId}&sub1=x`;
    const c = (name: string, headers: Record<string, string>): Case => ({
      name: `GET /click ${name}`,
      method: 'get',
      url,
      headers,
      refuse: false,
    });
    await expectNoFailures([
      c('User-Agent of 8 KB', { 'User-Agent': 'x'.repeat(8 * KB) }),
      c('User-Agent with high bytes', { 'User-Agent': '\u00ff\u00fe' }),
      c('X-Forwarded-For garbage', { 'X-Forwarded-For': 'not-an-ip, <script>' }),
      c('X-Forwarded-For of 8 KB', { 'X-Forwarded-For': '1.'.repeat(4 * KB) }),
      c('Accept: application/json', { Accept: 'application/json' }),
      c('Accept: nothing acceptable', { Accept: 'image/png' }),
    ]);
  });
});

const parties = [
  {
    label: 'advertisers',
    path: '/api/advertisers',
    base: (): Json => ({ name: 'Hostile advertiser', ip_allowlist: ['203.0.113.0/24'] }),
    realId: () => w.advertiserId,
    victimId: () => w.victimAdvertiserId,
  },
  {
    label: 'affiliates',
    path: '/api/affiliates',
    base: (): Json => ({ name: 'Hostile affiliate' }),
    realId: () => w.affiliateId,
    victimId: () => w.victimAffiliateId,
  },
] as const;

describe.each(parties)('/api/$label', ({ path, base, realId, victimId }) => {
  it('POST: every JSON field × hostile values, and hostile bodies', async () => {
    await expectNoFailures([
      ...fieldCases(`POST ${path}`, 'post', path, base()),
      ...bodyCases(`POST ${path}`, 'post', path, base(), 'name', true),
    ]);
  });

  it('PATCH: every JSON field × hostile values, and hostile bodies', async () => {
    const url = `${path}/${victimId()}`;
    const patch = { ...(base() as Record<string, Json>), active: true };
    await expectNoFailures([
      ...fieldCases(`PATCH ${path}/:id`, 'patch', url, patch),
      ...bodyCases(`PATCH ${path}/:id`, 'patch', url, patch, 'name', false),
    ]);
  });

  it('GET, PATCH and DELETE with hostile ids', async () => {
    await expectNoFailures([
      ...idCases(`GET ${path}/:id`, 'get', `${path}/:id`, realId()),
      ...idCases(`PATCH ${path}/:id`, 'patch', `${path}/:id`, victimId(), { name: 'Renamed by id' }),
      ...idCases(`DELETE ${path}/:id`, 'delete', `${path}/:id`, victimId()),
    ]);
  });

  it('GET list: hostile query strings and paging', async () => {
    await expectNoFailures(
      queryCases(`GET ${path}`, path, { active: 'true', limit: '5', offset: '0' }, { required: [], repeatedRefused: true, paging: true }),
    );
  });
});

describe('/api/offers', () => {
  it('POST: every JSON field × hostile values', async () => {
    await expectNoFailures(fieldCases('POST /api/offers', 'post', '/api/offers', offerBase(w.advertiserId)));
  });

  it('POST: hostile bodies', async () => {
    await expectNoFailures(bodyCases('POST /api/offers', 'post', '/api/offers', offerBase(w.advertiserId), 'name', true));
  });

  it('PATCH: every JSON field × hostile values, and hostile bodies', async () => {
    const { advertiser_id: _a, ...patch } = offerBase(w.advertiserId) as Record<string, Json>;
    const url = `/api/offers/${w.victimOfferId}`;
    await expectNoFailures([
      ...fieldCases('PATCH /api/offers/:id', 'patch', url, patch),
      ...bodyCases('PATCH /api/offers/:id', 'patch', url, patch, 'name', false),
    ]);
  });

  it('GET, PATCH and DELETE with hostile ids', async () => {
    await expectNoFailures([
      ...idCases('GET /api/offers/:id', 'get', '/api/offers/:id', w.offerId),
      ...idCases('PATCH /api/offers/:id', 'patch', '/api/offers/:id', w.victimOfferId, { name: 'Renamed by id' }),
      ...idCases('DELETE /api/offers/:id', 'delete', '/api/offers/:id', w.victimOfferId),
    ]);
  });

  it('GET list: hostile query strings and paging', async () => {
    await expectNoFailures(
      queryCases(
        'GET /api/offers',
        '/api/offers',
        { advertiser_id: w.advertiserId, active: 'true', limit: '5', offset: '0' },
        { required: [], repeatedRefused: true, paging: true },
      ),
    );
  });
});

describe('/api/conversions and balances', () => {
  it('GET /api/conversions: hostile query strings, paging and dates', async () => {
    const base = {
      offer_id: w.offerId,
      affiliate_id: w.affiliateId,
      advertiser_id: w.advertiserId,
      status: 'pending',
      from: '2020-01-01T00:00:00Z',
      to: '2100-01-01T00:00:00Z',
      limit: '5',
      offset: '0',
    };
    const dates: [string, boolean][] = [
      ['not-a-date', true],
      ['2026-02-30T00:00:00Z', true],
      ['2026-13-01T00:00:00Z', true],
      ['2026-01-01', true],
      ['275760-09-13T00:00:00Z', true],
      ['0000-01-01T00:00:00Z', false],
      ['9999-12-31T23:59:59.999999999-23:59', false],
      ['2026-01-01T00:00:00+99:99', true],
      ['1e400', true],
    ];
    const extra: Case[] = dates.flatMap(([value, refuse]) =>
      ['from', 'to'].map((key) => ({
        name: `GET /api/conversions ?${key}=${value}`,
        method: 'get' as const,
        url: `/api/conversions?${key}=${encodeURIComponent(value)}`,
        refuse,
      })),
    );
    extra.push(
      {
        name: 'GET /api/conversions ?status=processing',
        method: 'get',
        url: '/api/conversions?status=processing',
        refuse: false,
      },
      { name: 'GET /api/conversions ?status=$ne', method: 'get', url: '/api/conversions?status=%24ne', refuse: true },
      {
        name: 'GET /api/conversions ?from after to',
        method: 'get',
        url: '/api/conversions?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z',
        refuse: false,
      },
    );
    await expectNoFailures([
      ...queryCases('GET /api/conversions', '/api/conversions', base, {
        required: [],
        repeatedRefused: true,
        paging: true,
      }),
      ...extra,
    ]);
  });

  it('GET /api/conversions/:id and GET /api/affiliates/:id/balance with hostile ids', async () => {
    await expectNoFailures([
      ...idCases('GET /api/conversions/:id', 'get', '/api/conversions/:id', w.conversionId),
      ...idCases('GET /api/affiliates/:id/balance', 'get', '/api/affiliates/:id/balance', w.affiliateId),
    ]);
  });

  it('POST /api/conversions/:id/status: hostile fields, bodies and ids', async () => {
    // status=pending on a pending conversion is a no-op, so accepted variants change nothing.
    const url = `/api/conversions/${w.conversionId}/status`;
    const base = { status: 'pending', reason: 'ops check' };
    await expectNoFailures([
      ...fieldCases('POST /api/conversions/:id/status', 'post', url, base),
      ...bodyCases('POST /api/conversions/:id/status', 'post', url, base, 'status', true),
      ...idCases('POST /api/conversions/:id/status', 'post', '/api/conversions/:id/status', w.conversionId, base),
    ]);
    expect(await stack.models.Conversion.findById(w.conversionId).lean()).toMatchObject({ status: 'pending' });
  });
});

describe('the admin key, under every /api route', () => {
  it('a missing, wrong or malformed Authorization header → 401 JSON; nothing stored', async () => {
    const headers: [string, string | undefined][] = [
      ['no header', undefined],
      ['Bearer', 'Bearer'],
      ['Bearer + spaces', 'Bearer    '],
      ['an 8 KB Bearer', `Bearer ${'x'.repeat(8 * KB)}`],
      ['Basic', `Basic ${Buffer.from(`admin:${TEST_ADMIN_KEY}`).toString('base64')}`],
      ['the key with a suffix', `Bearer ${TEST_ADMIN_KEY}x`],
      ['the key, then more', `Bearer ${TEST_ADMIN_KEY} ${TEST_ADMIN_KEY}`],
      ['the key upper-cased', `Bearer ${TEST_ADMIN_KEY.toUpperCase()}`],
      ['an operator', 'Bearer {"$gt":""}'],
      ['high bytes', 'Bearer \u00ff\u00fe'],
    ];
    const routes: [Method, string, Json | undefined][] = [
      ['post', '/api/advertisers', { name: 'x' }],
      ['get', `/api/advertisers/${w.advertiserId}`, undefined],
      ['patch', `/api/affiliates/${w.affiliateId}`, { name: 'x' }],
      ['delete', `/api/offers/${w.offerId}`, undefined],
      ['get', '/api/conversions', undefined],
      ['post', `/api/conversions/${w.conversionId}/status`, { status: 'approved' }],
      ['get', `/api/affiliates/${w.affiliateId}/balance`, undefined],
      ['get', '/api', undefined],
      ['get', '/api/nothing-here', undefined],
    ];
    const cases: Case[] = routes.flatMap(([method, url, body]) =>
      headers.map(([name, value]): Case => ({
        name: `${method.toUpperCase()} ${url} with ${name}`,
        method,
        url,
        noAuth: true,
        headers: value === undefined ? undefined : { Authorization: value },
        body: body === undefined ? undefined : { contentType: 'application/json', data: JSON.stringify(body) },
        refuse: true,
      })),
    );
    await expectNoFailures(cases);
  });
});

describe('the admin key, whatever the spelling of the path', () => {
  // The router matches paths case-insensitively and with a trailing slash, so /API/advertisers
  // reaches the admin routes: the key check must see it as /api/advertisers (it once did not).
  it('a path under /api in any letter case, without the key → 401; nothing stored', async () => {
    const spellings = ['/API', '/Api', '/aPi', '/apI', '/API/'];
    const targets: [Method, string, Json | undefined][] = [
      ['get', '/advertisers', undefined],
      ['post', '/advertisers', { name: 'Created without a key' }],
      ['patch', `/affiliates/${'VICTIM_AFF'}`, { name: 'Renamed without a key' }],
      ['delete', `/offers/${'VICTIM_OFF'}`, undefined],
      ['get', `/conversions/${'CONVERSION'}`, undefined],
    ];
    const ids = (path: string) =>
      path.replace('VICTIM_AFF', w.victimAffiliateId).replace('VICTIM_OFF', w.victimOfferId).replace('CONVERSION', w.conversionId);
    const cases: Case[] = spellings.flatMap((prefix) =>
      targets.map(([method, path, body]): Case => ({
        name: `${method.toUpperCase()} ${prefix}${path} without the key`,
        method,
        url: `${prefix.replace(/\/$/, '')}${ids(path)}${prefix.endsWith('/') ? '/' : ''}`,
        noAuth: true,
        body: body === undefined ? undefined : { contentType: 'application/json', data: JSON.stringify(body) },
        refuse: true,
      })),
    );
    await expectNoFailures(cases);
    for (const c of cases) expect([c.name, (await send(c)).status]).toEqual([c.name, 401]);
  });
});

describe('postback tokens: stored as digests, compared in constant time', () => {
  it('the advertiser document holds the SHA-256 digest of the token and nothing containing the token', async () => {
    const doc = await stack.models.Advertiser.findById(w.advertiserId).lean();
    expect(doc!.postback_token_hash).toBe(sha256(w.token));
    expect(JSON.stringify(doc)).not.toContain(w.token);
  });

  it('secretMatches compares two fixed-length digests with crypto.timingSafeEqual, whatever is presented', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      const expected = sha256(w.token);
      const presented = [
        w.token,
        `${w.token}x`,
        w.token.slice(0, -1),
        w.token.toUpperCase(),
        '',
        'x'.repeat(10_000),
        '\u0000',
        '\ud800',
        '{"$gt":""}',
      ];
      expect(presented.map((p) => secretMatches(p, expected))).toEqual([true, false, false, false, false, false, false, false, false]);
      // One comparison per call, always of 32 bytes against 32 bytes: neither the length nor
      // the content of the presented token changes the work done, so timing tells nothing.
      expect(spy).toHaveBeenCalledTimes(presented.length);
      for (const [a, b] of spy.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    } finally {
      spy.mockRestore();
    }
    // A malformed stored digest never matches (and never throws).
    expect(secretMatches(w.token, 'not-hex')).toBe(false);
    expect(secretMatches(w.token, '')).toBe(false);
  });

  it('a token that differs from the real one in any way → 401, through the query, the body and the header', async () => {
    const variants = [
      `${w.token}x`,
      w.token.slice(0, -1),
      `${w.token.slice(0, -1)}${w.token.endsWith('A') ? 'B' : 'A'}`,
      w.token.toUpperCase(),
      ` ${w.token}x`,
      sha256(w.token),
    ];
    for (const token of variants) {
      const query = await f.http().get('/postback').query({ click_id: w.clickId, token });
      const body = await f.http().post('/postback').send({ click_id: w.clickId, token });
      const header = await f.http().get('/postback').query({ click_id: w.clickId }).set('X-Postback-Token', token);
      const receipt = await f.http().get('/postback/status').query({ conversion_id: w.conversionId, token });
      expect([query.status, body.status, header.status, receipt.status]).toEqual([401, 401, 401, 401]);
      expect([query.body.error, body.body.error, header.body.error, receipt.body.error]).toEqual([
        'invalid_token',
        'invalid_token',
        'invalid_token',
        'invalid_token',
      ]);
    }
  });
});

describe('methods and paths nobody routes', () => {
  it('unknown paths → 404 JSON', async () => {
    const paths = [
      '/nope',
      '/api/nope',
      '/%00',
      '/%C3%28',
      '/postback/extra',
      `/api/offers/${'x'.repeat(8 * KB)}/more`,
      '/api/advertisers/a/b/c',
      '//postback',
      '/postback%00',
    ];
    await expectNoFailures(
      paths.flatMap((url) =>
        (['get', 'post', 'patch', 'delete'] as const).map((method) => ({
          name: `${method.toUpperCase()} ${url.slice(0, 60)}`,
          method,
          url,
          refuse: true,
        })),
      ),
    );
  });

  // A method a route does not have is bad input too: it must be a 4xx with a JSON body.
  it.each([
    ['PUT', '/postback'],
    ['DELETE', '/click'],
    ['PUT', '/api/advertisers'],
    ['PUT', '/api/offers/off_x'],
    ['TRACE', '/postback'],
    ['PROPFIND', '/healthz'],
    ['PROPFIND', '/api/advertisers'],
    ['LOCK', '/click'],
  ])('%s %s → a JSON 4xx', async (method, path) => {
    const res = await f
      .http()
      [method.toLowerCase() as 'put' | 'trace' | 'propfind' | 'lock' | 'delete'](path)
      .set('Authorization', `Bearer ${TEST_ADMIN_KEY}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(typeof res.body.error).toBe('string');
    expect(typeof res.body.message).toBe('string');
  });
});

describe('after the sweep', () => {
  // Node's HTTP parser answers a request line + headers over 16 KB (--max-http-header-size)
  // with 431 before Koa runs, so that answer cannot carry the API's JSON body.
  it('a 100 KB query string is refused below 500 (431 from Node, before the app)', async () => {
    const res = await f.http().get(`/postback?click_id=${'x'.repeat(100 * KB)}`);
    expect(res.status).toBe(431);
  });

  it('no stored document carries an operator, __proto__ or constructor key, or a secret', async () => {
    const db = stack.mongo.db!;
    const collections = await db.listCollections().toArray();
    const offending: string[] = [];
    const visit = (value: unknown, where: string) => {
      if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${where}.${i}`));
      else if (value !== null && typeof value === 'object' && !(value instanceof Date) && value.constructor?.name === 'Object') {
        for (const [key, v] of Object.entries(value)) {
          if (key.startsWith('$') || key === '__proto__' || key === 'constructor' || key === 'prototype' || key === 'polluted')
            offending.push(`${where}.${key}`);
          visit(v, `${where}.${key}`);
        }
      } else if (
        typeof value === 'string' &&
        secrets()
          .slice(0, 2)
          .some((s) => value.includes(s))
      ) {
        offending.push(`${where} holds a secret`);
      }
    };
    for (const { name } of collections) {
      for (const doc of await db.collection(name).find().toArray()) visit(doc, `${name}/${String(doc._id)}`);
    }
    expect(offending).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the app still works: a fresh click and postback are accepted', async () => {
    const s = await f.setup();
    const res = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, txid: 'after-sweep' });
    expect([res.status, res.body.result]).toEqual([200, 'accepted']);
  });
});
