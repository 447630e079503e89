import type { RouterContext } from '@koa/router';
import { randomBytes } from 'node:crypto';
import { staffOnly } from '../access/authorize';
import { allowlistAdmits } from '../../domain/ip';
import { mmpTemplates, TOKEN_PLACEHOLDER } from '../../domain/mmp/templates';
import { macroValue, mmpParams, readEventTime, readKind, type MmpEvent, type MmpVendor } from '../../domain/mmp/vendors';
import { isSecretParam, CENSOR } from '../../domain/secret-names';
import type { Goal } from '../../domain/offer';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import type { AcceptDeps } from '../accept-conversion';
import { sha256 } from '../access/secrets';
import { fieldsSent } from '../audit';
import { ApiError, parseOr400 } from '../errors';
import { ingestMmp, type StoredIntegration } from '../mmp/ingest';
import { byId, json } from '../openapi/operation';
import { route, type Route } from '../route';
import {
  mmpIntegration,
  mmpIntegrationCreate,
  mmpIntegrationCreated,
  mmpIntegrationUpdate,
  mmpLogPage,
  mmpLogQuery,
  mmpPostbackResult,
  mmpVendorParam,
} from '../schemas/mmp';

/** Where each vendor's postbacks come from, as it publishes them (docs/mmp-vendor-reference.md). */
export const vendorIpRanges: Record<MmpVendor, string[]> = {
  appsflyer: ['45.92.116.0/22', '194.28.46.0/23'],
  adjust: ['178.162.216.64/26', '178.162.216.128/26'],
  singular: ['198.134.6.0/23'],
  branch: [],
  kochava: [],
};

type IntegrationDoc = StoredIntegration & {
  token_prefix: string;
  link_base?: string | null;
  ip_allowlist: string[];
  active: boolean;
  created_at: Date;
  updated_at: Date;
};

/** The integration as the API shows it, with its templates (the token itself only right after it was made). */
function integrationToApi(doc: IntegrationDoc, origin: string, installGoal: string, token = TOKEN_PLACEHOLDER) {
  return {
    id: doc._id,
    offer_id: doc.offer_id,
    vendor: doc.vendor,
    token_prefix: doc.token_prefix,
    install_goal: doc.install_goal ?? installGoal,
    events: doc.events,
    kind_goals: doc.kind_goals,
    post_install_window_hours: doc.post_install_window_hours ?? null,
    link_base: doc.link_base ?? null,
    ip_allowlist: doc.ip_allowlist,
    active: doc.active,
    templates: mmpTemplates({
      vendor: doc.vendor,
      origin,
      token,
      ...(doc.link_base ? { linkBase: doc.link_base } : {}),
      events: doc.events.map((e) => e.event),
    }),
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at.toISOString(),
  };
}

/** Every goal the settings name is one of the offer's; the 400 names each field that is not. */
function requireGoals(
  goals: Goal[],
  settings: { install_goal?: string; events?: { event: string; goal: string }[]; kind_goals?: Record<string, string | undefined> },
) {
  const known = new Set(goals.map((g) => g.key));
  const issues: { path: string; code: string; message: string }[] = [];
  const check = (path: string, goal: string | undefined) => {
    if (goal !== undefined && !known.has(goal))
      issues.push({ path, code: 'unknown_goal', message: `the offer has no goal "${goal}" (${[...known].join(', ')})` });
  };
  check('install_goal', settings.install_goal);
  settings.events?.forEach((e, i) => check(`events.${i}.goal`, e.goal));
  for (const [kind, goal] of Object.entries(settings.kind_goals ?? {})) check(`kind_goals.${kind}`, goal);
  const seen = new Set<string>();
  settings.events?.forEach((e, i) => {
    if (seen.has(e.event)) issues.push({ path: `events.${i}.event`, code: 'duplicate', message: `"${e.event}" is mapped twice` });
    seen.add(e.event);
  });
  if (issues.length > 0) throw new ApiError(400, 'invalid_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

const origin = (ctx: RouterContext) => `${ctx.protocol}://${ctx.host}`;

/** The admin side: an offer's integrations, their templates and their log of calls that made nothing. */
export function mmpAdminRoutes(models: Models): Route[] {
  const base = { tag: 'MMP integrations', access: 'admin', realms: staffOnly } as const;
  const load = async (id: string) => {
    const doc = await models.MmpIntegration.findById(id).lean<IntegrationDoc>();
    if (!doc) throw new ApiError(404, 'not_found', `no MMP integration with id "${id}"`);
    const offer = await models.Offer.findById(doc.offer_id, { default_goal: 1, goals: 1 }).lean<{ default_goal: string; goals: Goal[] }>();
    return { doc, offer: offer ?? { default_goal: doc.install_goal ?? '', goals: [] } };
  };
  return [
    route(
      {
        ...base,
        method: 'post',
        path: '/api/offers/{id}/mmp',
        summary: "Connect an offer to its MMP: the token, and the templates to paste into the vendor's dashboard",
        params: byId('offer'),
        body: mmpIntegrationCreate,
        responses: { 201: json(mmpIntegrationCreated, 'Created; `token` is shown only here') },
        errors: [400, 404, 409],
        audit: { action: 'mmp_integration.create', target: 'response', detail: fieldsSent },
      },
      async (ctx, { params: { id }, body }) => {
        const offer = await models.Offer.findById(id, { default_goal: 1, goals: 1 }).lean<{ default_goal: string; goals: Goal[] }>();
        if (!offer) throw new ApiError(404, 'not_found', `no offer with id "${id}"`);
        requireGoals(offer.goals, body);
        if (await models.MmpIntegration.exists({ offer_id: id, vendor: body.vendor }))
          throw new ApiError(
            409,
            'conflict',
            `offer "${id}" is already connected to ${body.vendor}; change that integration with PATCH /api/mmp/{id}`,
          );
        if (body.vendor_ip_ranges && vendorIpRanges[body.vendor].length === 0)
          throw new ApiError(400, 'invalid_request', `vendor_ip_ranges: ${body.vendor} publishes no postback IP ranges`, [
            { path: 'vendor_ip_ranges', code: 'not_published', message: `${body.vendor} publishes no postback IP ranges` },
          ]);
        const token = `mmp_${randomBytes(24).toString('base64url')}`;
        const { vendor_ip_ranges, ...settings } = body;
        const created = await models.MmpIntegration.create({
          _id: newId('mmp'),
          offer_id: id,
          ...settings,
          ip_allowlist: [...new Set([...settings.ip_allowlist, ...(vendor_ip_ranges ? vendorIpRanges[body.vendor] : [])])],
          token_hash: sha256(token),
          token_prefix: token.slice(0, 10),
        });
        ctx.status = 201;
        ctx.body = { ...integrationToApi(created.toObject() as unknown as IntegrationDoc, origin(ctx), offer.default_goal, token), token };
      },
    ),
    route(
      {
        ...base,
        method: 'get',
        path: '/api/offers/{id}/mmp',
        summary: "An offer's MMP integrations, with their templates (the token as a placeholder)",
        params: byId('offer'),
        responses: { 200: json(mmpIntegration.array(), 'The integrations') },
        errors: [400, 404],
      },
      async (ctx, { params: { id } }) => {
        const offer = await models.Offer.findById(id, { default_goal: 1 }).lean<{ default_goal: string }>();
        if (!offer) throw new ApiError(404, 'not_found', `no offer with id "${id}"`);
        const docs = await models.MmpIntegration.find({ offer_id: id }).sort({ created_at: 1 }).lean<IntegrationDoc[]>();
        ctx.body = docs.map((d) => integrationToApi(d, origin(ctx), offer.default_goal));
      },
    ),
    route(
      {
        ...base,
        method: 'get',
        path: '/api/mmp/{id}',
        summary: 'Read an MMP integration and its templates',
        params: byId('MMP integration'),
        responses: { 200: json(mmpIntegration, 'Found') },
        errors: [400, 404],
      },
      async (ctx, { params: { id } }) => {
        const { doc, offer } = await load(id);
        ctx.body = integrationToApi(doc, origin(ctx), offer.default_goal);
      },
    ),
    route(
      {
        ...base,
        method: 'patch',
        path: '/api/mmp/{id}',
        summary: 'Change an MMP integration (event mapping, goals, window, allowlist); the token stays',
        params: byId('MMP integration'),
        body: mmpIntegrationUpdate,
        responses: { 200: json(mmpIntegration, 'Changed; the templates follow the new mapping') },
        errors: [400, 404],
        audit: { action: 'mmp_integration.update', target: 'params', detail: fieldsSent },
      },
      async (ctx, { params: { id }, body }) => {
        const { offer } = await load(id);
        requireGoals(offer.goals, body);
        const doc = await models.MmpIntegration.findByIdAndUpdate(id, { $set: body }, { new: true }).lean<IntegrationDoc>();
        ctx.body = integrationToApi(doc!, origin(ctx), offer.default_goal);
      },
    ),
    route(
      {
        ...base,
        method: 'get',
        path: '/api/mmp/{id}/log',
        summary: 'MMP postbacks that made or changed no conversion, newest first, with the raw call and why',
        params: byId('MMP integration'),
        query: mmpLogQuery,
        responses: { 200: json(mmpLogPage, 'The latest rows') },
        errors: [400, 404],
      },
      async (ctx, { params: { id }, query }) => {
        await load(id);
        const rows = await models.MmpEventLog.find({ integration_id: id, ...(query.reason ? { reason: query.reason } : {}) })
          .sort({ received_at: -1, _id: -1 })
          .limit(query.limit)
          .lean<Record<string, unknown>[]>();
        ctx.body = {
          data: rows.map(({ _id, integration_id: _i, offer_id: _o, vendor: _v, expires_at: _e, received_at, ...row }) => ({
            id: _id,
            ...row,
            received_at: (received_at as Date).toISOString(),
          })),
        };
      },
    ),
  ];
}

/** The raw call as logged: query and body, secret-looking parameters masked. */
function rawCall(ctx: RouterContext): Record<string, unknown> {
  const body = (ctx.request as { body?: unknown }).body;
  const params = { ...ctx.query, ...(body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {}) };
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, isSecretParam(k) ? CENSOR : v]));
}

const single = (v: unknown): string | undefined => (Array.isArray(v) ? undefined : macroValue(v));
/** AppsFlyer's documented example quotes a value (reject_reason_value="1123456"): the quotes are not part of it. */
const unquote = (v: string | undefined) => (v && /^".*"$/.test(v) ? v.slice(1, -1) : v);

/** GET/POST /postback/mmp/:vendor: a vendor's postback, authenticated by the integration's token. */
export function mmpPostbackRoutes(deps: AcceptDeps): Route[] {
  const handle = async (ctx: RouterContext, vendor: MmpVendor) => {
    const raw = rawCall(ctx);
    const params = { ...ctx.query, ...((ctx.request as { body?: Record<string, unknown> }).body ?? {}) } as Record<string, unknown>;
    const token = single(params.token) ?? macroValue(ctx.get('x-postback-token'));
    if (!token) throw new ApiError(401, 'missing_token', "send the integration's token as token=… (the generated templates do)");
    const integration = await deps.models.MmpIntegration.findOne({ token_hash: sha256(token) }).lean<
      StoredIntegration & { ip_allowlist: string[]; active: boolean }
    >();
    if (!integration) throw new ApiError(401, 'invalid_token', 'the token is no MMP integration’s token');
    if (integration.vendor !== vendor)
      throw new ApiError(
        401,
        'invalid_token',
        `the token is for a ${integration.vendor} integration, not ${vendor}: check the postback URL`,
      );
    if (!integration.active) throw new ApiError(403, 'integration_inactive', 'this MMP integration is deactivated');
    if (integration.ip_allowlist.length > 0 && !allowlistAdmits(integration.ip_allowlist, ctx.ip))
      throw new ApiError(403, 'ip_not_allowed', `postbacks from ${ctx.ip} are not in the integration's IP allowlist`);

    const read = Object.fromEntries(mmpParams.map((p) => [p, single(params[p])])) as Partial<Record<(typeof mmpParams)[number], string>>;
    const kind = readKind(vendor, read);
    if (!kind.ok) throw new ApiError(400, 'invalid_request', kind.message, [{ path: 'kind', code: 'invalid_kind', message: kind.message }]);
    const eventAt = readEventTime(read.event_time);
    const event: MmpEvent = {
      vendor,
      kind: kind.kind,
      ...(read.click_id ? { clickId: read.click_id } : {}),
      ...(read.event ? { event: read.event } : {}),
      ...(read.revenue ? { revenue: read.revenue } : {}),
      ...(read.currency ? { currency: read.currency.toUpperCase() } : {}),
      ...(read.event_time ? { eventTime: read.event_time } : {}),
      ...(eventAt ? { eventAt } : {}),
      ...(read.device_id ? { deviceId: read.device_id } : {}),
      ...(read.event_id ? { eventId: read.event_id } : {}),
      ...(read.reason ? { reason: read.reason } : {}),
      ...(unquote(read.reason_value) ? { reasonValue: unquote(read.reason_value) } : {}),
    };
    if (event.revenue !== undefined && !/^\d{1,12}(\.\d{1,8})?$/.test(event.revenue))
      throw new ApiError(400, 'invalid_request', `revenue: "${event.revenue}" is not a decimal amount`, [
        { path: 'revenue', code: 'invalid_amount', message: 'must be a decimal amount such as 4.99' },
      ]);
    ctx.body = await ingestMmp(deps, integration, event, { raw, ip: ctx.ip });
  };

  const spec = (method: 'get' | 'post') =>
    ({
      method,
      path: '/postback/mmp/{vendor}',
      tag: 'MMP postbacks',
      access: 'postback',
      summary: method === 'get' ? 'An MMP postback (query string)' : 'An MMP postback (form or JSON body)',
      description:
        "An AppsFlyer, Adjust, Branch, Singular or Kochava postback, as the integration's generated templates send it " +
        '(GET /api/mmp/{id}). Installs and mapped events become conversions, deduplicated on the vendor event identity; ' +
        'rejections, fraud notices and updated attributions decline or reverse the install; anything else is kept in the ' +
        "integration's log (GET /api/mmp/{id}/log) and answered 200 `logged`, so the vendor does not retry or switch the postback off.",
      params: mmpVendorParam,
      mergedInput: true,
      responses: { 200: json(mmpPostbackResult, 'accepted, duplicate, status_update or logged') },
      errors: [400, 403, 409, 503],
    }) as const;
  const handler = async (ctx: RouterContext) => {
    const { vendor } = parseOr400(mmpVendorParam, ctx.params);
    await handle(ctx, vendor);
  };
  return [route(spec('get'), handler), route(spec('post'), handler)];
}
