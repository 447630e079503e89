import Router from '@koa/router';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import { ApiError, parseOr400 } from '../errors';
import { idParam } from '../schemas/common';
import { offerSchema, offerUpdateSchema } from '../schemas/offer';
import { offerToApi } from '../serialize';
import { mountEntityRoutes } from './admin-parties';

export function offerRoutes(models: Models, onChange: () => void): Router {
  const router = new Router({ prefix: '/api' });

  const requireAdvertiser = async (advertiserId: string) => {
    if (!(await models.Advertiser.exists({ _id: advertiserId }))) {
      throw new ApiError(400, 'invalid_request', `advertiser_id: no advertiser with id "${advertiserId}"`, [
        { path: 'advertiser_id', code: 'unknown_reference', message: `no advertiser with id "${advertiserId}"` },
      ]);
    }
  };

  router.post('/offers', async (ctx) => {
    const offer = parseOr400(offerSchema, ctx.request.body ?? {});
    await requireAdvertiser(offer.advertiser_id);
    const doc = await models.Offer.create({ _id: newId('off'), ...offer });
    ctx.status = 201;
    ctx.body = offerToApi(doc.toObject());
  });

  // PATCH merges the given top-level fields into the stored offer and validates the result
  // as a whole, so cross-field rules (default_goal among goals, caps' goals) always hold.
  router.patch('/offers/:id', async (ctx) => {
    const id = parseOr400(idParam, ctx.params.id);
    const existing = await models.Offer.findById(id).lean<Record<string, unknown>>();
    if (!existing) throw new ApiError(404, 'not_found', `no offer with id "${id}"`);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    parseOr400(offerUpdateSchema, body); // refuses unknown fields and advertiser_id
    const { _id, created_at: _c, updated_at: _u, ...stored } = existing;
    const merged = parseOr400(offerSchema, { ...stored, ...body });
    const doc = await models.Offer.findByIdAndUpdate(_id, { $set: merged }, { new: true }).lean<Record<string, unknown>>();
    onChange();
    ctx.body = offerToApi(doc!);
  });

  mountEntityRoutes(router, '/offers', 'offer', models.Offer, {
    toApi: offerToApi,
    filters: { advertiser_id: idParam.optional() },
    onChange,
  });
  return router;
}
