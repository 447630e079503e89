import { z } from 'zod';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import { fieldsSent } from '../audit';
import { ApiError } from '../errors';
import { byId, json } from '../openapi/operation';
import { route, type Route } from '../route';
import { endpointCreateSchema, endpointUpdateSchema, postbackEndpoint } from '../schemas/postback-endpoint';
import { postbackEndpointToApi } from '../serialize';

/** An endpoint as the API shows it: whether it signs, never the secret itself. */
const endpointToApi = (doc: Record<string, unknown>) => ({
  ...postbackEndpointToApi(doc),
  signing_secret_set: Boolean(doc.signing_secret),
});

export function postbackEndpointRoutes(models: Models): Route[] {
  const base = { tag: 'Affiliate postback endpoints', access: 'admin' } as const;
  const ownAffiliate = { ops: true, affiliate: { self: 'affiliate' } } as const;
  const ownEndpoint = { ops: true, affiliate: { owned: 'PostbackEndpoint', label: 'postback endpoint' } } as const;
  const findEndpoint = async (id: string) => {
    const doc = await models.PostbackEndpoint.findById(id).lean<Record<string, unknown>>();
    if (!doc) throw new ApiError(404, 'not_found', `no postback endpoint with id "${id}"`);
    return { id, doc };
  };
  const requireAffiliate = async (id: string) => {
    if (!(await models.Affiliate.exists({ _id: id }))) throw new ApiError(404, 'not_found', `no affiliate with id "${id}"`);
    return id;
  };

  const create = route(
    {
      ...base,
      method: 'post',
      path: '/api/affiliates/{id}/postbacks',
      realms: ownAffiliate,
      capability: 'manage_endpoints',
      summary: 'Add a postback endpoint to an affiliate',
      params: byId('affiliate'),
      body: endpointCreateSchema,
      responses: { 201: json(postbackEndpoint, 'Created') },
      errors: [404],
      audit: { action: 'postback_endpoint.create', target: 'response', detail: fieldsSent },
    },
    async (ctx, { params, body: input }) => {
      const affiliateId = await requireAffiliate(params.id);
      if (input.offer_id && !(await models.Offer.exists({ _id: input.offer_id }))) {
        throw new ApiError(400, 'invalid_request', `offer_id: no offer with id "${input.offer_id}"`, [
          { path: 'offer_id', code: 'unknown_reference', message: 'no such offer' },
        ]);
      }
      const doc = await models.PostbackEndpoint.create({ _id: newId('pb'), affiliate_id: affiliateId, ...input });
      ctx.status = 201;
      ctx.body = endpointToApi(doc.toObject());
    },
  );

  const list = route(
    {
      ...base,
      method: 'get',
      path: '/api/affiliates/{id}/postbacks',
      realms: ownAffiliate,
      summary: "An affiliate's postback endpoints",
      params: byId('affiliate'),
      responses: { 200: json(z.object({ data: z.array(postbackEndpoint) }), 'All of them') },
      errors: [400, 404],
    },
    async (ctx, { params }) => {
      const affiliateId = await requireAffiliate(params.id);
      const docs = await models.PostbackEndpoint.find({ affiliate_id: affiliateId }).sort({ _id: 1 }).lean<Record<string, unknown>[]>();
      ctx.body = { data: docs.map(endpointToApi) };
    },
  );

  const read = route(
    {
      ...base,
      method: 'get',
      path: '/api/postbacks/{id}',
      realms: ownEndpoint,
      summary: 'Read a postback endpoint',
      params: byId('endpoint'),
      responses: { 200: json(postbackEndpoint, 'Found') },
      errors: [400, 404],
    },
    async (ctx, { params }) => {
      ctx.body = endpointToApi((await findEndpoint(params.id)).doc);
    },
  );

  const update = route(
    {
      ...base,
      method: 'patch',
      path: '/api/postbacks/{id}',
      realms: ownEndpoint,
      capability: 'manage_endpoints',
      summary: 'Update a postback endpoint',
      description: '`signing_secret: null` stops signing. `active: true` also closes the breaker.',
      params: byId('endpoint'),
      body: endpointUpdateSchema,
      responses: { 200: json(postbackEndpoint, 'Updated') },
      errors: [404],
      audit: { action: 'postback_endpoint.update', target: 'params', detail: fieldsSent },
    },
    async (ctx, { params, body: patch }) => {
      const { id, doc } = await findEndpoint(params.id);
      if (patch.body && (patch.method ?? doc.method) !== 'POST')
        throw new ApiError(400, 'invalid_request', 'body: a body template needs method POST', [
          { path: 'body', code: 'custom', message: 'needs method POST' },
        ]);
      const { signing_secret, ...rest } = patch;
      const update =
        signing_secret === null
          ? { $set: rest, $unset: { signing_secret: 1 } }
          : { $set: { ...rest, ...(signing_secret ? { signing_secret } : {}) } };
      // Reactivating also closes the breaker: ops saying "it works again" should be believed.
      if (patch.active === true) Object.assign(update.$set, { consecutive_failures: 0, paused_until: null, deactivated_reason: null });
      const updated = await models.PostbackEndpoint.findByIdAndUpdate(id, update, { new: true }).lean<Record<string, unknown>>();
      ctx.body = endpointToApi(updated!);
    },
  );

  // Deactivation, not deletion: its deliveries and attempts keep pointing at it.
  const deactivate = route(
    {
      ...base,
      method: 'delete',
      path: '/api/postbacks/{id}',
      realms: ownEndpoint,
      capability: 'manage_endpoints',
      summary: 'Deactivate a postback endpoint',
      params: byId('endpoint'),
      responses: { 200: json(postbackEndpoint, 'Deactivated') },
      errors: [400, 404],
      audit: { action: 'postback_endpoint.deactivate', target: 'params' },
    },
    async (ctx, { params }) => {
      const { id } = await findEndpoint(params.id);
      const updated = await models.PostbackEndpoint.findByIdAndUpdate(
        id,
        { $set: { active: false, deactivated_reason: 'deactivated through the API' } },
        { new: true },
      ).lean<Record<string, unknown>>();
      ctx.body = endpointToApi(updated!);
    },
  );
  return [create, list, read, update, deactivate];
}
