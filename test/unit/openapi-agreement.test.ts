import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import type Koa from 'koa';
import mongoose from 'mongoose';
import request from 'supertest';
import type { z } from 'zod';
import { createApp } from '../../api/app';
import { currencyCode, decimalString, ianaZones } from '../../api/schemas/common';
import { statusChangeBody } from '../../api/schemas/conversion';
import { bulkRedeliverySchema } from '../../api/schemas/delivery';
import { offerSchema } from '../../api/schemas/offer';
import { advertiserCreateSchema } from '../../api/schemas/parties';
import { normalisePostbackParams } from '../../api/schemas/postback';
import { endpointCreateSchema } from '../../api/schemas/postback-endpoint';
import { reportQuery } from '../../api/schemas/report';
import { loadConfig } from '../../config';
import { createModels } from '../../models';

/**
 * The document and the server agree: what the document allows, the server accepts, and the
 * inconsistencies schemathesis found stay fixed. No request here reaches MongoDB or Temporal
 * (validation answers first), so this needs no servers.
 */
const ADMIN_KEY = 'unit-admin-key-0123456789';
let app: Koa;
let temporal: Client;
let doc: {
  paths: Record<string, Record<string, { requestBody?: { required?: boolean } }>>;
  components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
};
beforeAll(async () => {
  const mongo = mongoose.createConnection();
  temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', interceptors: [] }) });
  app = createApp({
    config: loadConfig({ TASK_QUEUE: 'agreement', ADMIN_API_KEY: ADMIN_KEY }),
    temporal,
    mongo,
    models: createModels(mongo),
    log: () => undefined,
  });
  doc = (await request(app.callback()).get('/openapi.json')).body;
});
afterAll(async () => {
  await temporal?.connection.close();
});
const admin = (method: 'patch' | 'post', path: string) => request(app.callback())[method](path).set('Authorization', `Bearer ${ADMIN_KEY}`);

const bodySchema = (path: string, method: string) =>
  (doc.paths[path]![method] as { requestBody: { content: Record<string, { schema: Record<string, unknown> }> } }).requestBody.content[
    'application/json'
  ]!.schema;
const property = (schema: Record<string, unknown>, name: string) => (schema.properties as Record<string, Record<string, unknown>>)[name]!;
const resolve = (schema: Record<string, unknown>) =>
  schema.$ref ? (doc.components.schemas[(schema.$ref as string).split('/').pop()!] as unknown as Record<string, unknown>) : schema;

/** Every string the documented pattern matches, the server's schema accepts. */
function acceptsPattern(pattern: string, accepts: (value: string) => boolean) {
  fc.assert(
    fc.property(fc.stringMatching(new RegExp(pattern)), (value) => accepts(value)),
    { numRuns: 300 },
  );
}
const ok = (schema: z.ZodType) => (value: unknown) => schema.safeParse(value).success;

describe('methods', () => {
  it('a known path with a method it does not serve answers 405 with Allow (RFC 9110)', async () => {
    for (const method of ['put', 'delete'] as const) {
      const res = await request(app.callback())[method]('/healthz');
      expect({ status: res.status, allow: res.headers.allow, error: res.body.error }).toEqual({
        status: 405,
        allow: 'HEAD, GET',
        error: 'method_not_allowed',
      });
    }
    const trace = await request(app.callback()).trace('/click');
    expect({ status: trace.status, allow: trace.headers.allow }).toEqual({ status: 405, allow: 'HEAD, GET' });
    const nowhere = await request(app.callback()).trace('/nowhere');
    expect(nowhere.status).toBe(404);
  });

  it('Allow names the methods of a literal path that a parameter path also matches', async () => {
    const res = await admin('patch', '/api/deliveries/redeliver').send({});
    expect({ status: res.status, allow: res.headers.allow }).toEqual({ status: 405, allow: 'POST' });
  });
});

describe('bodies', () => {
  it('a route whose document requires a body refuses a request without one', async () => {
    for (const [method, path] of [
      ['patch', '/api/advertisers/adv_1'],
      ['patch', '/api/affiliates/aff_1'],
      ['patch', '/api/offers/off_1'],
      ['patch', '/api/postbacks/pb_1'],
      ['post', '/api/deliveries/redeliver'],
    ] as const) {
      expect({ path, required: doc.paths[path.replace(/\/[a-z]+_1$/, '/{id}')]![method]!.requestBody?.required }).toEqual({
        path,
        required: true,
      });
      const res = await admin(method, path);
      expect({ path, status: res.status, code: res.body.issues?.[0]?.code }).toEqual({ path, status: 400, code: 'body_required' });
    }
  });

  it('a bulk redelivery needs a filter or "all": true', async () => {
    const res = await admin('post', '/api/deliveries/redeliver').send({});
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/at least one filter .* or "all": true/);
    expect(bulkRedeliverySchema.safeParse({ all: true }).success).toBe(true);
    expect(bulkRedeliverySchema.safeParse({ status: 'dead_lettered' }).success).toBe(true);
    expect(bulkRedeliverySchema.safeParse({ all: false }).success).toBe(false);
  });
});

describe('credentials', () => {
  it('an empty token answers 401 missing_token, like no token', async () => {
    for (const query of ['txid=t1&token=', 'txid=t1&token=%20', 'txid=t1', 'txid=t1&secure=']) {
      const res = await request(app.callback()).get(`/postback/status?${query}`);
      expect({ query, status: res.status, error: res.body.error }).toEqual({ query, status: 401, error: 'missing_token' });
    }
    expect(normalisePostbackParams({ token: '', secure: 'pt_x' }).token).toBe('pt_x');
  });
});

describe('the document states what the server checks', () => {
  it('settled deliveries may have next_attempt_at: null', () => {
    for (const name of ['Delivery', 'DeliveryAttempt']) {
      const type = doc.components.schemas[name]!.properties.next_attempt_at!.type;
      expect({ name, type }).toEqual({ name, type: ['string', 'null'] });
    }
  });

  it('offer and endpoint URLs are templates, not format: uri, and the README example is valid', () => {
    const offerUrl = property(resolve(bodySchema('/api/offers', 'post')), 'url');
    expect(offerUrl.format).toBeUndefined();
    const readmeExample = 'https://acme.example/landing?click={click_id}&src={sub1}';
    expect(new RegExp(offerUrl.pattern as string).test(readmeExample)).toBe(true);
    const valid = (url: string) => {
      const parsed = offerSchema.safeParse({
        advertiser_id: 'adv_1',
        name: 'o',
        url,
        currency: 'USD',
        default_goal: 'sale',
        goals: [{ key: 'sale', payout: { type: 'fixed', amount: '1' }, revenue: { type: 'fixed', amount: '1' } }],
      });
      return parsed.success || parsed.error.issues.every((i) => i.path[0] !== 'url');
    };
    expect(valid(readmeExample)).toBe(true);
    acceptsPattern(offerUrl.pattern as string, valid);
    const endpointUrl = property(bodySchema('/api/affiliates/{id}/postbacks', 'post'), 'url');
    expect(endpointUrl.format).toBeUndefined();
    acceptsPattern(endpointUrl.pattern as string, (url) => ok(endpointCreateSchema)({ url }));
  });

  it('signing secrets, allowlist ranges and amounts: every documented value is accepted', () => {
    const endpoint = bodySchema('/api/affiliates/{id}/postbacks', 'post');
    acceptsPattern(property(endpoint, 'signing_secret').pattern as string, (secret) =>
      ok(endpointCreateSchema)({ url: 'https://t.example/', signing_secret: secret }),
    );
    const entry = (property(bodySchema('/api/advertisers', 'post'), 'ip_allowlist').items as { anyOf: { pattern?: string }[] }).anyOf;
    acceptsPattern(entry.find((e) => e.pattern)!.pattern!, (range) => ok(advertiserCreateSchema)({ name: 'a', ip_allowlist: [range] }));
    const amount = (decimalString.meta() as { anyOf: { pattern?: string }[] }).anyOf;
    acceptsPattern(amount.find((e) => e.pattern)!.pattern!, ok(decimalString));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999 }), fc.integer({ min: 0, max: 6 }), (n, places) =>
        ok(decimalString)(n / 10 ** places),
      ),
    );
    expect(ok(decimalString)(0.0000001)).toBe(false);
  });

  it('currencies, time zones and groupings: every listed value is accepted', () => {
    for (const code of (currencyCode.meta() as { enum: string[] }).enum)
      expect({ code, ok: ok(currencyCode)(code) }).toEqual({ code, ok: true });
    for (const zone of ianaZones) expect({ zone, ok: ok(reportQuery)({ timezone: zone }) }).toEqual({ zone, ok: true });
    const groupings = (reportQuery.shape.group_by.meta() as { enum: string[] }).enum;
    expect(groupings).toHaveLength(64);
    for (const group_by of groupings) expect({ group_by, ok: ok(reportQuery)({ group_by }) }).toEqual({ group_by, ok: true });
  });

  it('a blank name or reason is refused, and the document says so', () => {
    expect(ok(statusChangeBody)({ status: 'declined', reason: '   ' })).toBe(false);
    expect(ok(statusChangeBody)({ status: 'declined', reason: ' chargeback ' })).toBe(true);
    const reason = property(resolve(bodySchema('/api/conversions/{id}/status', 'post')), 'reason');
    expect(reason).toMatchObject({ pattern: '\\S', maxLength: 500 });
    expect(property(bodySchema('/api/affiliates', 'post'), 'name')).toMatchObject({ pattern: '\\S', maxLength: 200 });
  });
});
