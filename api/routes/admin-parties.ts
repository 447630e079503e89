import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Model } from 'mongoose';
import { z } from 'zod';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import { sha256 } from '../auth';
import { ApiError, parseOr400 } from '../errors';
import { idParam, paging } from '../schemas/common';
import { advertiserCreateSchema, advertiserUpdateSchema, affiliateCreateSchema, affiliateUpdateSchema } from '../schemas/parties';
import { advertiserToApi, affiliateToApi, type Serializer } from '../serialize';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModel = Model<any>;

/** Read, list, update and deactivate: the same for every configuration entity. */
export interface EntityRouteOptions {
  /** What a response shows of a document (api/serialize.ts). */
  toApi: Serializer;
  /** PATCH body schema; omit to mount no PATCH (the caller has its own). */
  updateSchema?: z.ZodType<Record<string, unknown>>;
  /** Extra list filters (equality on the field of the same name), validated like everything else. */
  filters?: z.ZodRawShape;
  /** Called after every successful write (caches of this entity are cleared). */
  onChange?: () => void;
}

export function mountEntityRoutes(router: Router, path: string, label: string, model: AnyModel, opts: EntityRouteOptions) {
  const { toApi } = opts;
  // The id is parsed once and that value is used for every read and write of the request.
  const find = async (rawId: string | undefined) => {
    const id = parseOr400(idParam, rawId);
    const doc = await model.findById(id).lean<Record<string, unknown>>();
    if (!doc) throw new ApiError(404, 'not_found', `no ${label} with id "${id}"`);
    return { id, doc };
  };
  const listQuery = paging.extend({
    active: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
    ...opts.filters,
  });
  router.get(`${path}/:id`, async (ctx) => {
    ctx.body = toApi((await find(ctx.params.id)).doc);
  });
  router.get(path, async (ctx) => {
    const { limit, offset, active, ...rest } = parseOr400(listQuery, ctx.query) as {
      limit: number;
      offset: number;
      active?: string;
    } & Record<string, unknown>;
    const filter: Record<string, unknown> = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    if (active !== undefined) filter.active = active === 'true';
    const docs = await model
      .find(filter)
      .sort({ _id: 1 })
      .skip(offset)
      .limit(limit + 1)
      .lean<Record<string, unknown>[]>();
    ctx.body = { data: docs.slice(0, limit).map(toApi), next_offset: docs.length > limit ? offset + limit : null };
  });
  const updateSchema = opts.updateSchema;
  if (updateSchema) {
    router.patch(`${path}/:id`, async (ctx) => {
      const { id } = await find(ctx.params.id);
      const patch = parseOr400(updateSchema, ctx.request.body ?? {});
      const doc = await model.findByIdAndUpdate(id, { $set: patch }, { new: true }).lean<Record<string, unknown>>();
      opts.onChange?.();
      ctx.body = toApi(doc!);
    });
  }
  // Deactivation, never deletion: clicks, conversions and the ledger keep pointing at it.
  router.delete(`${path}/:id`, async (ctx) => {
    const { id } = await find(ctx.params.id);
    const doc = await model.findByIdAndUpdate(id, { $set: { active: false } }, { new: true }).lean<Record<string, unknown>>();
    opts.onChange?.();
    ctx.body = toApi(doc!);
  });
}

export function partyRoutes(models: Models, onChange: () => void): Router {
  const router = new Router({ prefix: '/api' });

  router.post('/advertisers', async (ctx) => {
    const input = parseOr400(advertiserCreateSchema, ctx.request.body ?? {});
    // Shown once in this response; only its digest is stored.
    const token = `pt_${randomBytes(24).toString('base64url')}`;
    const doc = await models.Advertiser.create({ _id: newId('adv'), ...input, postback_token_hash: sha256(token) });
    ctx.status = 201;
    ctx.body = { ...advertiserToApi(doc.toObject()), postback_token: token };
  });
  mountEntityRoutes(router, '/advertisers', 'advertiser', models.Advertiser, {
    toApi: advertiserToApi,
    updateSchema: advertiserUpdateSchema,
  });

  router.post('/affiliates', async (ctx) => {
    const input = parseOr400(affiliateCreateSchema, ctx.request.body ?? {});
    const doc = await models.Affiliate.create({ _id: newId('aff'), ...input });
    ctx.status = 201;
    ctx.body = affiliateToApi(doc.toObject());
  });
  mountEntityRoutes(router, '/affiliates', 'affiliate', models.Affiliate, {
    toApi: affiliateToApi,
    updateSchema: affiliateUpdateSchema,
    onChange,
  });
  return router;
}
