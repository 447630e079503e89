import { z } from 'zod';
import { clickQuerySchema } from '../schemas/click';
import { idParam, paging } from '../schemas/common';
import { conversionListQuery, statusChangeBody } from '../schemas/conversion';
import { offerSchema, offerUpdateSchema } from '../schemas/offer';
import { advertiserCreateSchema, advertiserUpdateSchema, affiliateCreateSchema, affiliateUpdateSchema } from '../schemas/parties';
import { postbackAliases, postbackSchema } from '../schemas/postback';
import { bulkRedeliverySchema, deliveryListQuery, endpointCreateSchema, endpointUpdateSchema } from '../schemas/postback-endpoint';
import { reportQuery } from '../schemas/report';
import { byId, json, text, type Operation } from './operation';
import * as shape from './shapes';
import { conversionHistory, report } from './shapes-ops';
import { docsAssetNames, docsInitName } from './swagger-ui';

/**
 * Every route the app serves, once. Request schemas are the ones the routes validate with;
 * test/unit/openapi.test.ts fails when a served route is missing here or a listed one is not
 * served.
 */

// mountEntityRoutes (api/routes/admin-parties.ts) builds its list query inline; this mirrors it.
const entityListQuery = paging.extend({
  active: z.enum(['true', 'false']).optional().meta({ description: 'only active (true) or deactivated (false) ones' }),
});

function entityOperations(opts: {
  path: string;
  label: string;
  tag: string;
  create: z.ZodType;
  created: z.ZodType;
  update: z.ZodType;
  shape: z.ZodType;
  filters?: z.ZodRawShape;
  updateDescription?: string;
}): Operation[] {
  const one = `${opts.path}/{id}`;
  const params = byId(opts.label);
  const base = { tag: opts.tag, access: 'admin' } as const;
  return [
    {
      ...base,
      method: 'post',
      path: opts.path,
      summary: `Create an ${opts.label}`,
      body: opts.create,
      ok: { 201: json(opts.created, 'Created') },
    },
    {
      ...base,
      method: 'get',
      path: opts.path,
      summary: `List ${opts.label}s`,
      description: 'Ordered by id.',
      query: entityListQuery.extend(opts.filters ?? {}),
      ok: { 200: json(shape.page(opts.shape, `${opts.tag}Page`), 'One page') },
      errors: [400],
    },
    {
      ...base,
      method: 'get',
      path: one,
      summary: `Read an ${opts.label}`,
      params,
      ok: { 200: json(opts.shape, 'Found') },
      errors: [400, 404],
    },
    {
      ...base,
      method: 'patch',
      path: one,
      summary: `Update an ${opts.label}`,
      description: opts.updateDescription ?? 'Sets the given fields; omitted ones keep their value.',
      params,
      body: opts.update,
      ok: { 200: json(opts.shape, 'Updated') },
      errors: [404],
    },
    {
      ...base,
      method: 'delete',
      path: one,
      summary: `Deactivate an ${opts.label}`,
      description: 'Sets `active: false`; nothing is deleted, so what points at it keeps working.',
      params,
      ok: { 200: json(opts.shape, 'Deactivated') },
      errors: [400, 404],
    },
  ];
}

const aliasList = Object.entries(postbackAliases)
  .map(([name, aliases]) => `\`${name}\`: ${aliases.map((a) => `\`${a}\``).join(', ')}`)
  .join('; ');
const postbackDescription =
  'A conversion, or a status update of one. Parameters come in the query string, a form or a JSON body (the body wins). ' +
  `When a canonical name is absent, an alias is read: ${aliasList}. ` +
  'Checked synchronously, nothing stored on failure: validation (400), the click exists (404 unknown_click), the token (401), ' +
  "the advertiser is active and the caller's IP allowed (403), the goal exists (400). 200 means the workflow start is durable.";
// The token is documented as the security scheme, not as an ordinary parameter.
const postbackParams = postbackSchema.omit({ token: true });

// api/routes/postback-status.ts keeps its query schema private; this mirrors it (token aside).
const receiptQuery = z.object({
  conversion_id: idParam.optional().meta({ description: 'give conversion_id or txid' }),
  txid: z.string().trim().min(1).max(200).optional(),
});

const postback = (method: 'get' | 'post'): Operation => ({
  method,
  path: '/postback',
  tag: 'Advertiser postbacks',
  access: 'postback',
  summary: method === 'get' ? 'Send a conversion (query string)' : 'Send a conversion (form or JSON body)',
  description: postbackDescription,
  ...(method === 'get' ? { query: postbackParams } : { body: postbackParams, form: true }),
  ok: { 200: json(shape.postbackResult, 'accepted, duplicate or status_update') },
  errors: [400, 403, 404, 409, 429],
});

export const operations: Operation[] = [
  // Public
  {
    method: 'get',
    path: '/healthz',
    tag: 'Operations',
    access: 'public',
    summary: 'Liveness',
    ok: { 200: json(shape.health, 'The process is up') },
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'Operations',
    access: 'public',
    summary: 'Readiness',
    ok: {
      200: json(shape.readiness, 'MongoDB and Temporal answer'),
      503: json(shape.readiness, '`checks` names what is down'),
    },
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'Operations',
    access: 'public',
    summary: 'Prometheus metrics',
    ok: { 200: text('text/plain; version=0.0.4; charset=utf-8', 'Prometheus text exposition format') },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'Operations',
    access: 'public',
    summary: 'This OpenAPI 3.1 document',
    ok: { 200: json(z.record(z.string(), z.unknown()), 'The document') },
  },
  {
    method: 'get',
    path: '/docs',
    tag: 'Operations',
    access: 'public',
    summary: 'Browsable API reference (Swagger UI)',
    ok: { 200: text('text/html; charset=utf-8', 'HTML page') },
  },
  {
    method: 'get',
    path: '/docs/assets/{file}',
    tag: 'Operations',
    access: 'public',
    summary: "The reference page's scripts, styles and icons",
    params: z.object({ file: z.enum([...docsAssetNames, docsInitName]) }),
    ok: {
      200: {
        description: 'The file, with its content type',
        content: {
          'application/javascript': { schema: z.string() },
          'text/css': { schema: z.string() },
          'image/png': { schema: z.string() },
        },
      },
    },
    errors: [404],
  },
  {
    method: 'get',
    path: '/click',
    tag: 'Clicks',
    access: 'public',
    summary: 'Record a click and redirect to the offer',
    description: '302 to the offer URL with `{click_id}`, `{offer_id}`, `{aff_id}`, `{sub1}`…`{sub5}` filled in, URL-encoded.',
    query: clickQuerySchema,
    ok: {
      302: {
        description: 'Redirect to the landing page',
        headers: { Location: { description: 'the offer URL with the click id', schema: { type: 'string' } } },
      },
    },
    errors: [400, 404, 429],
  },
  postback('get'),
  postback('post'),
  {
    method: 'get',
    path: '/postback/status',
    tag: 'Advertiser postbacks',
    access: 'postback',
    summary: "The advertiser's receipt for its own conversions",
    description: "What became of a postback, by conversion id or txid. Another advertiser's conversion answers 404, like a missing one.",
    query: receiptQuery,
    ok: { 200: json(shape.receipt, 'Up to 20 conversions, newest first') },
    errors: [400, 404, 429],
  },

  // Admin: configuration
  ...entityOperations({
    path: '/api/advertisers',
    label: 'advertiser',
    tag: 'Advertisers',
    create: advertiserCreateSchema,
    created: shape.advertiserCreated,
    update: advertiserUpdateSchema,
    shape: shape.advertiser,
  }),
  ...entityOperations({
    path: '/api/affiliates',
    label: 'affiliate',
    tag: 'Affiliates',
    create: affiliateCreateSchema,
    created: shape.affiliate,
    update: affiliateUpdateSchema,
    shape: shape.affiliate,
  }),
  ...entityOperations({
    path: '/api/offers',
    label: 'offer',
    tag: 'Offers',
    create: offerSchema,
    created: shape.offer,
    update: offerUpdateSchema,
    shape: shape.offer,
    filters: { advertiser_id: idParam.optional() },
    updateDescription: 'Merges the given top-level fields into the stored offer and validates the result as a whole.',
  }),
  {
    method: 'post',
    path: '/api/affiliates/{id}/postbacks',
    tag: 'Affiliate postback endpoints',
    access: 'admin',
    summary: 'Add a postback endpoint to an affiliate',
    params: byId('affiliate'),
    body: endpointCreateSchema,
    ok: { 201: json(shape.postbackEndpoint, 'Created') },
    errors: [404],
  },
  {
    method: 'get',
    path: '/api/affiliates/{id}/postbacks',
    tag: 'Affiliate postback endpoints',
    access: 'admin',
    summary: "An affiliate's postback endpoints",
    params: byId('affiliate'),
    ok: { 200: json(z.object({ data: z.array(shape.postbackEndpoint) }), 'All of them') },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/api/postbacks/{id}',
    tag: 'Affiliate postback endpoints',
    access: 'admin',
    summary: 'Read a postback endpoint',
    params: byId('endpoint'),
    ok: { 200: json(shape.postbackEndpoint, 'Found') },
    errors: [400, 404],
  },
  {
    method: 'patch',
    path: '/api/postbacks/{id}',
    tag: 'Affiliate postback endpoints',
    access: 'admin',
    summary: 'Update a postback endpoint',
    description: '`signing_secret: null` stops signing. `active: true` also closes the breaker.',
    params: byId('endpoint'),
    body: endpointUpdateSchema,
    ok: { 200: json(shape.postbackEndpoint, 'Updated') },
    errors: [404],
  },
  {
    method: 'delete',
    path: '/api/postbacks/{id}',
    tag: 'Affiliate postback endpoints',
    access: 'admin',
    summary: 'Deactivate a postback endpoint',
    params: byId('endpoint'),
    ok: { 200: json(shape.postbackEndpoint, 'Deactivated') },
    errors: [400, 404],
  },

  // Admin: conversions and money
  {
    method: 'get',
    path: '/api/conversions',
    tag: 'Conversions',
    access: 'admin',
    summary: 'List conversions, newest first',
    query: conversionListQuery,
    ok: { 200: json(shape.page(shape.conversion, 'ConversionPage'), 'One page') },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/conversions/{id}',
    tag: 'Conversions',
    access: 'admin',
    summary: 'Read a conversion, with its deliveries',
    params: byId('conversion'),
    ok: { 200: json(shape.conversionWithDeliveries, 'Found') },
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/api/conversions/{id}/status',
    tag: 'Conversions',
    access: 'admin',
    summary: "Change a conversion's status (ops)",
    description: 'Sent to the workflow as an Update, whose validator refuses an illegal transition (409) before anything is written.',
    params: byId('conversion'),
    body: statusChangeBody,
    ok: { 200: json(shape.conversionStatusChanged, 'Applied, or already so (`changed: false`)') },
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/api/conversions/{id}/history',
    tag: 'Conversions',
    access: 'admin',
    summary: "A conversion's timeline, from its workflow histories",
    params: byId('conversion'),
    ok: { 200: json(conversionHistory, 'Every step, ordered by time') },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/api/affiliates/{id}/balance',
    tag: 'Conversions',
    access: 'admin',
    summary: 'What the ledger says the affiliate is owed, per currency',
    params: byId('affiliate'),
    ok: { 200: json(shape.balance, 'Balances') },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/api/reports',
    tag: 'Reports',
    access: 'admin',
    summary: 'Clicks, conversions and money, grouped',
    query: reportQuery,
    ok: { 200: json(report, 'Rows per group and currency, and totals per currency') },
    errors: [400, 422],
  },

  // Admin: deliveries
  {
    method: 'get',
    path: '/api/deliveries',
    tag: 'Deliveries',
    access: 'admin',
    summary: 'List deliveries, newest first',
    query: deliveryListQuery,
    ok: { 200: json(shape.page(shape.delivery, 'DeliveryPage'), 'One page') },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/deliveries/{id}',
    tag: 'Deliveries',
    access: 'admin',
    summary: 'Read a delivery, with every attempt',
    params: byId('delivery'),
    ok: {
      200: json(shape.delivery.extend({ attempts: z.array(shape.deliveryAttempt) }).meta({ id: 'DeliveryWithAttempts' }), 'Found'),
    },
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/api/deliveries/{id}/redeliver',
    tag: 'Deliveries',
    access: 'admin',
    summary: 'Deliver again (same event id, new run)',
    params: byId('delivery'),
    ok: { 202: json(shape.redeliveryStarted, 'Started') },
    errors: [400, 404, 409],
  },
  {
    method: 'post',
    path: '/api/deliveries/redeliver',
    tag: 'Deliveries',
    access: 'admin',
    summary: 'Deliver again everything that matches (default: dead-lettered)',
    body: bulkRedeliverySchema,
    ok: { 202: json(shape.bulkRedeliveryStarted, 'Started') },
  },
];
