import { staffOnly, type RouteRealms } from '../access/authorize';
import type { Model } from 'mongoose';
import { z } from 'zod';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import { newPostbackToken } from '../advertiser-token';
import { fieldsSent, type AuditAction } from '../audit';
import { sha256 } from '../auth';
import { ApiError } from '../errors';
import { byId, json } from '../openapi/operation';
import { route, type Route } from '../route';
import { page, paging } from '../schemas/common';
import {
  advertiser,
  advertiserCreated,
  advertiserCreateSchema,
  advertiserUpdateSchema,
  affiliate,
  affiliateCreateSchema,
  affiliateUpdateSchema,
} from '../schemas/parties';
import { advertiserToApi, affiliateToApi, type Serializer } from '../serialize';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModel = Model<any>;

/** Read, list, update and deactivate: the same for every configuration entity. */
export interface EntityRouteOptions {
  /** OpenAPI form of the collection: `/api/offers`. */
  path: string;
  label: string;
  tag: string;
  /** The entity as the API shows it. */
  shape: z.ZodType;
  /** What a response shows of a document (api/serialize.ts). */
  toApi: Serializer;
  /** PATCH body schema; omit to mount no PATCH (the caller has its own). */
  updateSchema?: z.ZodType<Record<string, unknown>>;
  /** Extra list filters (equality on the field of the same name), validated like everything else. */
  filters?: z.ZodRawShape;
  /** The target type of this entity's audit entries (api/audit.ts). */
  auditAs: 'advertiser' | 'affiliate' | 'offer';
  /** Called after every successful write (caches of this entity are cleared). */
  onChange?: () => void;
  /** Who besides staff may read one (GET {path}/{id}) and list them; writes stay with staff. */
  readRealms?: RouteRealms;
  listRealms?: RouteRealms;
}

/** The PATCH route every entity without its own shares; exported so an entity's own PATCH reads the same. */
export const entityUpdate = (opts: Pick<EntityRouteOptions, 'path' | 'label' | 'tag' | 'shape' | 'auditAs'>, description?: string) =>
  ({
    method: 'patch',
    path: `${opts.path}/{id}`,
    tag: opts.tag,
    access: 'admin',
    realms: staffOnly,
    summary: `Update an ${opts.label}`,
    description: description ?? 'Sets the given fields; omitted ones keep their value.',
    params: byId(opts.label),
    responses: { 200: json(opts.shape, 'Updated') },
    errors: [404],
    audit: { action: `${opts.auditAs}.update` satisfies AuditAction, target: 'params', detail: fieldsSent },
  }) as const;

export function entityRoutes(model: AnyModel, opts: EntityRouteOptions): Route[] {
  const { path, label, tag, shape, toApi } = opts;
  const base = { tag, access: 'admin', realms: staffOnly } as const;
  const params = byId(label);
  const find = async (id: string) => {
    const doc = await model.findById(id).lean<Record<string, unknown>>();
    if (!doc) throw new ApiError(404, 'not_found', `no ${label} with id "${id}"`);
    return doc;
  };
  const listQuery = paging.extend({
    active: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .optional()
      .meta({ description: 'only active (true) or deactivated (false) ones' }),
    ...opts.filters,
  });
  const routes: Route[] = [
    route(
      {
        ...base,
        method: 'get',
        path: `${path}/{id}`,
        realms: opts.readRealms ?? staffOnly,
        summary: `Read an ${label}`,
        params,
        responses: { 200: json(shape, 'Found') },
        errors: [400, 404],
      },
      async (ctx, input) => {
        ctx.body = toApi(await find(input.params.id));
      },
    ),
    route(
      {
        ...base,
        method: 'get',
        path,
        realms: opts.listRealms ?? staffOnly,
        summary: `List ${label}s`,
        description: 'Ordered by id.',
        query: listQuery,
        responses: { 200: json(page(shape, `${tag}Page`), 'One page') },
        errors: [400],
      },
      async (ctx, { query }) => {
        const { limit, offset, active, ...rest } = query as { limit: number; offset: number; active?: string } & Record<string, unknown>;
        const filter: Record<string, unknown> = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
        if (active !== undefined) filter.active = active === 'true';
        const docs = await model
          .find(filter)
          .sort({ _id: 1 })
          .skip(offset)
          .limit(limit + 1)
          .lean<Record<string, unknown>[]>();
        ctx.body = { data: docs.slice(0, limit).map(toApi), next_offset: docs.length > limit ? offset + limit : null };
      },
    ),
    // Deactivation, never deletion: clicks, conversions and the ledger keep pointing at it.
    route(
      {
        ...base,
        method: 'delete',
        path: `${path}/{id}`,
        summary: `Deactivate an ${label}`,
        description: 'Sets `active: false`; nothing is deleted, so what points at it keeps working.',
        params,
        responses: { 200: json(shape, 'Deactivated') },
        errors: [400, 404],
        audit: { action: `${opts.auditAs}.deactivate`, target: 'params' },
      },
      async (ctx, input) => {
        const id = input.params.id;
        await find(id);
        const doc = await model.findByIdAndUpdate(id, { $set: { active: false } }, { new: true }).lean<Record<string, unknown>>();
        opts.onChange?.();
        ctx.body = toApi(doc!);
      },
    ),
  ];
  const updateSchema = opts.updateSchema;
  if (updateSchema) {
    routes.push(
      route({ ...entityUpdate(opts), body: updateSchema }, async (ctx, input) => {
        const id = input.params.id;
        await find(id);
        const doc = await model.findByIdAndUpdate(id, { $set: input.body }, { new: true }).lean<Record<string, unknown>>();
        opts.onChange?.();
        ctx.body = toApi(doc!);
      }),
    );
  }
  return routes;
}

const create = (path: string, label: 'advertiser' | 'affiliate', tag: string) =>
  ({
    method: 'post',
    path,
    tag,
    access: 'admin',
    realms: staffOnly,
    summary: `Create an ${label}`,
    audit: { action: `${label}.create`, target: 'response', detail: fieldsSent },
  }) as const;

export function partyRoutes(models: Models, onChange: () => void): Route[] {
  return [
    route(
      {
        ...create('/api/advertisers', 'advertiser', 'Advertisers'),
        body: advertiserCreateSchema,
        responses: { 201: json(advertiserCreated, 'Created') },
      },
      async (ctx, { body }) => {
        // Shown once in this response; only its digest is stored.
        const token = newPostbackToken();
        const doc = await models.Advertiser.create({ _id: newId('adv'), ...body, postback_token_hash: sha256(token) });
        ctx.status = 201;
        ctx.body = { ...advertiserToApi(doc.toObject()), postback_token: token };
      },
    ),
    ...entityRoutes(models.Advertiser, {
      path: '/api/advertisers',
      label: 'advertiser',
      auditAs: 'advertiser',
      tag: 'Advertisers',
      shape: advertiser,
      toApi: advertiserToApi,
      updateSchema: advertiserUpdateSchema,
      readRealms: { ops: true, advertiser: { self: 'advertiser' } },
    }),
    route(
      {
        ...create('/api/affiliates', 'affiliate', 'Affiliates'),
        body: affiliateCreateSchema,
        responses: { 201: json(affiliate, 'Created') },
      },
      async (ctx, { body }) => {
        const doc = await models.Affiliate.create({ _id: newId('aff'), ...body });
        ctx.status = 201;
        ctx.body = affiliateToApi(doc.toObject());
      },
    ),
    ...entityRoutes(models.Affiliate, {
      path: '/api/affiliates',
      label: 'affiliate',
      auditAs: 'affiliate',
      tag: 'Affiliates',
      shape: affiliate,
      toApi: affiliateToApi,
      updateSchema: affiliateUpdateSchema,
      readRealms: { ops: true, affiliate: { self: 'affiliate' } },
      onChange,
    }),
  ];
}
