import Router from '@koa/router';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import { ApiError, parseOr400 } from '../errors';
import { idParam } from '../schemas/common';
import { endpointCreateSchema, endpointUpdateSchema } from '../schemas/postback-endpoint';
import { postbackEndpointToApi } from '../serialize';

/** An endpoint as the API shows it: whether it signs, never the secret itself. */
const endpointToApi = (doc: Record<string, unknown>) => ({
  ...postbackEndpointToApi(doc),
  signing_secret_set: Boolean(doc.signing_secret),
});

export function postbackEndpointRoutes(models: Models): Router {
  const router = new Router({ prefix: '/api' });

  const findEndpoint = async (raw: string | undefined) => {
    const id = parseOr400(idParam, raw);
    const doc = await models.PostbackEndpoint.findById(id).lean<Record<string, unknown>>();
    if (!doc) throw new ApiError(404, 'not_found', `no postback endpoint with id "${id}"`);
    return { id, doc };
  };
  const requireAffiliate = async (raw: string | undefined) => {
    const id = parseOr400(idParam, raw);
    if (!(await models.Affiliate.exists({ _id: id }))) throw new ApiError(404, 'not_found', `no affiliate with id "${id}"`);
    return id;
  };

  router.post('/affiliates/:id/postbacks', async (ctx) => {
    const affiliateId = await requireAffiliate(ctx.params.id);
    const input = parseOr400(endpointCreateSchema, ctx.request.body ?? {});
    if (input.offer_id && !(await models.Offer.exists({ _id: input.offer_id }))) {
      throw new ApiError(400, 'invalid_request', `offer_id: no offer with id "${input.offer_id}"`, [
        { path: 'offer_id', code: 'unknown_reference', message: 'no such offer' },
      ]);
    }
    const doc = await models.PostbackEndpoint.create({ _id: newId('pb'), affiliate_id: affiliateId, ...input });
    ctx.status = 201;
    ctx.body = endpointToApi(doc.toObject());
  });

  router.get('/affiliates/:id/postbacks', async (ctx) => {
    const affiliateId = await requireAffiliate(ctx.params.id);
    const docs = await models.PostbackEndpoint.find({ affiliate_id: affiliateId }).sort({ _id: 1 }).lean<Record<string, unknown>[]>();
    ctx.body = { data: docs.map(endpointToApi) };
  });

  router.get('/postbacks/:id', async (ctx) => {
    ctx.body = endpointToApi((await findEndpoint(ctx.params.id)).doc);
  });

  router.patch('/postbacks/:id', async (ctx) => {
    const { id, doc } = await findEndpoint(ctx.params.id);
    const patch = parseOr400(endpointUpdateSchema, ctx.request.body ?? {});
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
  });

  // Deactivation, not deletion: its deliveries and attempts keep pointing at it.
  router.delete('/postbacks/:id', async (ctx) => {
    const { id } = await findEndpoint(ctx.params.id);
    const updated = await models.PostbackEndpoint.findByIdAndUpdate(
      id,
      { $set: { active: false, deactivated_reason: 'deactivated through the API' } },
      { new: true },
    ).lean<Record<string, unknown>>();
    ctx.body = endpointToApi(updated!);
  });
  return router;
}
