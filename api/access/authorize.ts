import type { Context } from 'koa';
import type { z } from 'zod';
import type { Models } from '../../models';
import { isSafeMethod, principalOf } from '../auth';
import { ApiError } from '../errors';
import type { RouteInput, RouteSpec } from '../route';
import { isPartner, type Capability, type PartnerRealm } from './principal';

export type ScopeField = 'affiliate_id' | 'advertiser_id';
/** Collections whose rows belong to a partner through an `affiliate_id` / `advertiser_id` field. */
export type OwnedModel = 'Conversion' | 'Delivery' | 'PostbackEndpoint' | 'Offer' | 'Advertiser' | 'Affiliate' | 'Subscription';

/**
 * How a partner is confined on a route, declared with the route (RouteSpec.realms):
 * - `self`: the path's `{id}` is the partner itself (`/api/affiliates/{id}/balance`);
 * - `owned`: the path's `{id}` names a row of `owned` whose `field` (default `<realm>_id`) is the partner;
 * - `filter`: a list or aggregate whose `filter` query parameter is set to the partner's id;
 * - `bodyFilter`: the same for a bulk action whose filter is its JSON body (`POST /api/deliveries/redeliver`);
 * - `handler`: the handler confines it itself from the principal (`how` says how, for the document).
 * Anything foreign answers 404 exactly as a missing id does, so ids do not leak.
 */
export type PartnerScope =
  | { self: string }
  | { owned: OwnedModel; label: string; field?: ScopeField }
  | { filter: ScopeField }
  | { bodyFilter: ScopeField }
  | { handler: string };

/** Who besides the admin may call a route under /api. */
export interface RouteRealms {
  /** Ops reach every route but key and credential management. */
  ops: boolean;
  affiliate?: PartnerScope;
  advertiser?: PartnerScope;
}
export const staffOnly: RouteRealms = { ops: true };
export const adminOnly: RouteRealms = { ops: false };

type AnySpec = RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;
const notFound = (label: string, id: string) => new ApiError(404, 'not_found', `no ${label} with id "${id}"`);
const fieldOf = (scope: { field?: ScopeField }, realm: PartnerRealm): ScopeField => scope.field ?? `${realm}_id`;

/** The fields of an object schema, seen through refinements and pipes (`.superRefine`, `.transform`). */
function shapeOf(schema: z.ZodType | undefined): Record<string, unknown> | undefined {
  const def = (schema as { def?: { type?: string; in?: z.ZodType; shape?: Record<string, unknown> } } | undefined)?.def;
  if (!def) return undefined;
  if (def.type === 'pipe') return shapeOf(def.in);
  return def.shape;
}

/** Refuses at start-up a route under /api that does not say who may call it, or says it in a way that cannot hold. */
export function checkRealmsDeclared(spec: AnySpec): void {
  const where = `${spec.method.toUpperCase()} ${spec.path}`;
  if (!spec.realms) throw new Error(`${where}: a route under /api must declare its realms (api/access/authorize.ts)`);
  for (const realm of ['affiliate', 'advertiser'] as const) {
    const scope = spec.realms[realm];
    if (!scope) continue;
    if (('self' in scope || 'owned' in scope) && !spec.path.includes('{id}'))
      throw new Error(`${where}: a ${realm} scope by id needs {id}`);
    if ('filter' in scope && !shapeOf(spec.query)?.[scope.filter])
      throw new Error(`${where}: the ${realm} scope filters by ${scope.filter}, which its query lacks`);
    if ('bodyFilter' in scope && !shapeOf(spec.body)?.[scope.bodyFilter])
      throw new Error(`${where}: the ${realm} scope filters by ${scope.bodyFilter}, which its body lacks`);
  }
}

/** The realm rules the route declares, applied before its handler: 403 for the realm or a write, 404 for what is not the partner's. */
export async function authorize(models: Models, spec: AnySpec, ctx: Context, input: RouteInput<unknown, unknown, unknown>): Promise<void> {
  const principal = principalOf(ctx);
  const realms = spec.realms!;
  const outOfRealm = () =>
    new ApiError(403, 'out_of_realm', `${spec.method.toUpperCase()} ${spec.path} is not open to ${principal.realm} keys`);
  if (principal.realm === 'ops' && !realms.ops) throw outOfRealm();
  const scope = isPartner(principal) ? realms[principal.realm] : undefined;
  if (isPartner(principal) && !scope) throw outOfRealm();
  if (principal.read_only && !isSafeMethod(ctx.method))
    throw new ApiError(403, 'read_only', `${principal.name} is read-only here: ${ctx.method} ${spec.path} changes something`);
  if (spec.capability && !principal.capabilities.includes(spec.capability))
    throw new ApiError(403, 'missing_capability', `this needs the ${spec.capability} capability, which this session or key does not hold`);
  if (!isPartner(principal) || !scope) return;

  const id = (input.params as { id?: string } | undefined)?.id ?? '';
  if ('self' in scope) {
    if (id !== principal.party_id) throw notFound(scope.self, id);
  } else if ('owned' in scope) {
    const field = fieldOf(scope, principal.realm);
    // Advertisers and affiliates are their own owners: the field is their _id.
    const model = models[scope.owned] as unknown as {
      findById(id: string, fields: object): { lean(): Promise<Record<string, unknown> | null> };
    };
    const doc = await model.findById(id, { [field]: 1 }).lean();
    if (!doc || doc[field] !== principal.party_id) throw notFound(scope.label, id);
  } else if ('filter' in scope || 'bodyFilter' in scope) {
    const [source, field] = 'filter' in scope ? [input.query, scope.filter] : [input.body, scope.bodyFilter];
    const fields = source as unknown as Record<string, unknown>;
    const given = fields[field];
    if (given !== undefined && given !== principal.party_id) throw notFound(principal.realm, String(given));
    fields[field] = principal.party_id;
  }
}

/** What a route says about realms and capabilities, for the OpenAPI document. */
export function describeRealms(spec: AnySpec): { realms: string[]; scopes: Record<string, string>; capability?: Capability } | undefined {
  if (!spec.realms) return undefined;
  const scopes: Record<string, string> = {};
  for (const realm of ['affiliate', 'advertiser'] as const) {
    const scope = spec.realms[realm];
    if (!scope) continue;
    scopes[realm] =
      'self' in scope
        ? `{id} must be the ${realm} itself`
        : 'owned' in scope
          ? `the ${scope.label} {id} must be the ${realm}'s`
          : 'filter' in scope
            ? `${scope.filter} is set to the ${realm}'s own id`
            : 'bodyFilter' in scope
              ? `the body's ${scope.bodyFilter} is set to the ${realm}'s own id`
              : scope.handler;
  }
  return {
    realms: ['admin', ...(spec.realms.ops ? ['ops'] : []), ...Object.keys(scopes)],
    scopes,
    ...(spec.capability ? { capability: spec.capability } : {}),
  };
}
