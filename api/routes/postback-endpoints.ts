import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import { fieldsSent } from '../audit';
import { ApiError } from '../errors';
import { byId, json } from '../openapi/operation';
import { route, type Route } from '../route';
import { rotateSigningSecret, rotationOverlapUntil } from '../secret-rotation';
import {
  endpointCreateSchema,
  endpointUpdateSchema,
  postbackEndpoint,
  secretRotated,
  secretRotationSchema,
} from '../schemas/postback-endpoint';
import { postbackEndpointToApi } from '../serialize';
import { wakeDeliveries } from '../wake-deliveries';

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);

/** An endpoint as the API shows it: whether it signs and until when a rotation overlaps, never a secret itself. */
const endpointToApi = (doc: Record<string, unknown>, now: Date) => ({
  ...postbackEndpointToApi(doc),
  signing_secret_set: Boolean(doc.signing_secret),
  paused: doc.paused === true,
  paused_at: iso(doc.paused_at),
  rotation_overlap_until: rotationOverlapUntil(doc, now),
});

export function postbackEndpointRoutes({ models, temporal, now }: { models: Models; temporal: Client; now: () => Date }): Route[] {
  const show = (doc: Record<string, unknown>) => endpointToApi(doc, now());
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
      ctx.body = show(doc.toObject());
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
      ctx.body = { data: docs.map(show) };
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
      ctx.body = show((await findEndpoint(params.id)).doc);
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
      // A secret set here replaces the old one at once (no overlap: that is what rotation is for).
      const update =
        signing_secret === undefined
          ? { $set: rest }
          : {
              $set: { ...rest, ...(signing_secret ? { signing_secret } : {}) },
              $unset: {
                previous_signing_secret: 1,
                previous_signing_secret_expires_at: 1,
                ...(signing_secret ? {} : { signing_secret: 1 }),
              },
            };
      // Reactivating also closes the breaker: ops saying "it works again" should be believed.
      if (patch.active === true) Object.assign(update.$set, { consecutive_failures: 0, paused_until: null, deactivated_reason: null });
      const updated = await models.PostbackEndpoint.findByIdAndUpdate(id, update, { new: true }).lean<Record<string, unknown>>();
      ctx.body = show(updated!);
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
      ctx.body = show(updated!);
    },
  );

  /** A new secret, answered once; the old one signs beside it for the overlap (api/secret-rotation.ts). */
  const rotateSecret = route(
    {
      ...base,
      method: 'post',
      path: '/api/postbacks/{id}/secret/rotate',
      summary: 'Rotate the signing secret (or give an endpoint its first one)',
      description:
        'Answers the new secret once; it is never shown again. For `overlap_hours` (default 24) every request carries ' +
        'two signatures in `webhook-signature`, the new secret’s first, then only the new one.',
      params: byId('endpoint'),
      body: secretRotationSchema,
      responses: { 200: json(secretRotated, 'The new secret, shown this once') },
      errors: [404, 409],
      audit: { action: 'postback_endpoint.rotate_secret', target: 'params' },
      realms: ownEndpoint,
      capability: 'rotate_secrets',
    },
    async (ctx, { params, body }) => {
      const { id, doc } = await findEndpoint(params.id);
      const rotated = await rotateSigningSecret(models.PostbackEndpoint, doc, body.overlap_hours, now());
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { id, ...rotated };
    },
  );

  const pause = route(
    {
      ...base,
      method: 'post',
      path: '/api/postbacks/{id}/pause',
      summary: 'Pause an endpoint until it is resumed',
      description:
        'Its deliveries wait without spending attempts (and new ones queue) until `POST …/resume`. ' +
        'Distinct from the breaker’s automatic pause (`paused_until`), which ends by itself.',
      params: byId('endpoint'),
      responses: { 200: json(postbackEndpoint, 'Paused') },
      errors: [400, 404],
      audit: { action: 'postback_endpoint.pause', target: 'params' },
      realms: ownEndpoint,
      capability: 'manage_endpoints',
    },
    async (ctx, { params }) => {
      const { id } = await findEndpoint(params.id);
      // Paused once: pausing again keeps the first paused_at.
      await models.PostbackEndpoint.updateOne({ _id: id, paused: { $ne: true } }, { $set: { paused: true, paused_at: now() } });
      ctx.body = show((await findEndpoint(id)).doc);
    },
  );

  const resume = route(
    {
      ...base,
      method: 'post',
      path: '/api/postbacks/{id}/resume',
      summary: 'Resume a paused endpoint',
      description: 'Deliveries waiting on it are tried at once. The breaker’s automatic pause is not touched.',
      params: byId('endpoint'),
      responses: { 200: json(postbackEndpoint, 'Resumed') },
      errors: [400, 404],
      audit: { action: 'postback_endpoint.resume', target: 'params' },
      realms: ownEndpoint,
      capability: 'manage_endpoints',
    },
    async (ctx, { params }) => {
      const { id } = await findEndpoint(params.id);
      await models.PostbackEndpoint.updateOne({ _id: id }, { $set: { paused: false, paused_at: null } });
      // After the write: a delivery that looks from now on sees it resumed; those that looked before are woken.
      await wakeDeliveries({ models, temporal }, { endpointId: id });
      ctx.body = show((await findEndpoint(id)).doc);
    },
  );
  return [create, list, read, update, deactivate, rotateSecret, pause, resume];
}
