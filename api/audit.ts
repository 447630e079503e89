import type { RouterContext } from '@koa/router';
import type { Models } from '../models';
import { newTimeOrderedId } from '../models/ids';
import type { Principal } from './auth';
import { requestIdOf } from './request-context';
import type { Route, RouteInput } from './route';

/** Every ops action the API audits: `<target type>.<verb>`. */
export const auditActions = [
  'conversion.status_change',
  'delivery.redeliver',
  'delivery.bulk_redeliver',
  'advertiser.create',
  'advertiser.update',
  'advertiser.deactivate',
  'advertiser.token_rotate',
  'advertiser.test_postback',
  'affiliate.create',
  'affiliate.update',
  'affiliate.deactivate',
  'affiliate.test_postback',
  'offer.create',
  'offer.update',
  'offer.deactivate',
  'postback_endpoint.create',
  'postback_endpoint.update',
  'postback_endpoint.deactivate',
  'api_key.create',
  'api_key.revoke',
  'api_key.rotate',
  'portal_link.create',
  'postback_endpoint.rotate_secret',
  'postback_endpoint.pause',
  'postback_endpoint.resume',
  'subscription.create',
  'subscription.update',
  'subscription.deactivate',
  'subscription.rotate_secret',
  'subscription.pause',
  'subscription.resume',
  'subscription.replay',
  'trafficback.update',
  'mmp_integration.create',
  'mmp_integration.update',
  'retention.run',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** What one action adds to its entry beyond who, when, what and which target. */
export interface AuditDetail {
  filter?: Record<string, unknown>;
  matched?: number;
  started?: number;
  truncated?: boolean;
  /** How many things the action touched; 1 unless the action says otherwise. */
  count?: number;
  /** Configuration changes: the names of the fields sent, never their values (a secret may be one). */
  fields?: string[];
  status?: string;
  reason?: string;
  /** A token rotation: how long the old token keeps working. */
  overlap_hours?: number;
  /** A test postback: the test conversion it started. */
  conversion_id?: string;
}

/**
 * A route's declaration that it is an ops action (RouteSpec.audit). `target` says where the id of
 * what it acted on is: the path's `{id}`, the `id` of the answer (a create), or none (a bulk action,
 * which names its filter instead). `detail` reads the rest from the validated input.
 */
export interface AuditSpec {
  action: AuditAction;
  target: 'params' | 'response' | 'none';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  detail?: (input: RouteInput<any, any, any>, ctx: RouterContext) => AuditDetail;
}

const stateKey = 'postflowAudit';
type AuditState = { skip?: boolean; detail?: AuditDetail };
const state = (ctx: RouterContext): AuditState => ((ctx.state as Record<string, AuditState>)[stateKey] ??= {});

/** What only the handler knows (a bulk action's filter and counts), added to its route's entry. */
export function addAuditDetail(ctx: RouterContext, detail: AuditDetail): void {
  Object.assign((state(ctx).detail ??= {}), detail);
}

/** This call changed nothing (a preview, a dry run): no entry. */
export function skipAudit(ctx: RouterContext): void {
  state(ctx).skip = true;
}

/** Configuration create/update: the fields the caller sent and the route took, by name (not the defaults it filled in). */
export const fieldsSent = ({ body }: RouteInput<unknown, unknown, unknown>, ctx: RouterContext): AuditDetail => {
  const sent = new Set(Object.keys(((ctx.request as { body?: unknown }).body ?? {}) as object));
  return {
    fields: Object.keys((body ?? {}) as object)
      .filter((key) => sent.has(key))
      .sort(),
  };
};

/**
 * Wraps every route that declares `audit`: after its handler succeeded, one entry is written, so
 * an action is recorded in one place per route kind and a refused or failed call records nothing.
 * The entry is written before the answer goes out: an answered action is an audited one.
 */
export function auditedRoutes(routes: readonly Route[], deps: { models: Models; now: () => Date }): Route[] {
  return routes.map((r) => {
    const spec = r.spec.audit;
    if (!spec) return r;
    return {
      spec: r.spec,
      handle: async (ctx, input) => {
        await r.handle(ctx, input);
        const s = state(ctx);
        if (s.skip || ctx.status >= 400) return;
        await writeAuditEntry(deps, ctx, spec, { ...spec.detail?.(input, ctx), ...s.detail }, targetId(ctx, spec, input));
      },
    };
  });
}

function targetId(ctx: RouterContext, spec: AuditSpec, input: RouteInput<unknown, unknown, unknown>): string | undefined {
  if (spec.target === 'params') return (input.params as { id?: string } | undefined)?.id;
  if (spec.target === 'response') return (ctx.body as { id?: string } | undefined)?.id;
  return undefined;
}

async function writeAuditEntry(
  deps: { models: Models; now: () => Date },
  ctx: RouterContext,
  spec: AuditSpec,
  detail: AuditDetail,
  target: string | undefined,
): Promise<void> {
  const at = deps.now();
  const principal = ctx.state.principal as Principal | undefined;
  await deps.models.AuditEntry.create({
    _id: newTimeOrderedId('aud', at.getTime()),
    at,
    actor: {
      role: principal?.name ?? 'unknown',
      via: principal?.via ?? 'unknown',
      ...(principal?.key_id ? { key_id: principal.key_id } : {}),
    },
    action: spec.action,
    target_type: spec.action.slice(0, spec.action.indexOf('.')),
    ...(target ? { target_id: target } : {}),
    ...detail,
    count: detail.count ?? (detail.started !== undefined ? detail.started : 1),
    request_id: requestIdOf(ctx),
  });
}
