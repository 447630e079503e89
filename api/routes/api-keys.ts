import type { Context } from 'koa';
import type { Models } from '../../models';
import { adminOnly, type RouteRealms } from '../access/authorize';
import { mintKey } from '../access/keys';
import { mintPortalLink } from '../access/portal-links';
import { broaderThan, capabilities as allCapabilities, isPartner, parsePrincipalName, type Capability } from '../access/principal';
import { principalOf } from '../auth';
import { ApiError } from '../errors';
import { byId, json } from '../openapi/operation';
import { route, type Route } from '../route';
import {
  apiKey,
  apiKeyCreateBody,
  apiKeyCreated,
  apiKeyList,
  apiKeyListQuery,
  apiKeyRotateBody,
  portalLinkCreateBody,
  portalLinkCreated,
} from '../schemas/api-keys';

type KeyDoc = {
  _id: string;
  prefix: string;
  name: string;
  principal: string;
  read_only: boolean;
  capabilities?: string[] | null;
  expires_at: Date;
  last_used_at?: Date | null;
  revoked_at?: Date | null;
  created_by: string;
  created_at: Date;
  rotated_from?: string | null;
  replaced_by?: string | null;
};

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function keyToApi(doc: KeyDoc, now: Date) {
  const held = parsePrincipalName(doc.principal);
  const partner = held?.realm === 'advertiser' || held?.realm === 'affiliate';
  return {
    id: doc._id,
    prefix: doc.prefix,
    name: doc.name,
    principal: doc.principal,
    read_only: doc.read_only,
    capabilities: partner && doc.capabilities ? (doc.capabilities as Capability[]) : [...allCapabilities],
    state: doc.revoked_at ? ('revoked' as const) : doc.expires_at.getTime() <= now.getTime() ? ('expired' as const) : ('active' as const),
    expires_at: doc.expires_at.toISOString(),
    last_used_at: iso(doc.last_used_at),
    revoked_at: iso(doc.revoked_at),
    created_by: doc.created_by,
    created_at: doc.created_at.toISOString(),
    ...(doc.rotated_from ? { rotated_from: doc.rotated_from } : {}),
    ...(doc.replaced_by ? { replaced_by: doc.replaced_by } : {}),
  };
}

/** Partners manage their own keys (never broader than the one they use); ops manage none; the admin all. */
const keyRealms: RouteRealms = {
  ops: false,
  affiliate: { handler: "only the affiliate's own keys; a new key is never broader than the caller's" },
  advertiser: { handler: "only the advertiser's own keys; a new key is never broader than the caller's" },
};

/** A partner named in a key or link must exist: a typo would otherwise mint a key that opens nothing. */
async function assertPartyExists(models: Models, principal: string): Promise<void> {
  const parsed = parsePrincipalName(principal)!;
  if (!parsed.party_id) return;
  const model = parsed.realm === 'affiliate' ? models.Affiliate : models.Advertiser;
  if (!(await model.exists({ _id: parsed.party_id })))
    throw new ApiError(400, 'invalid_request', `no ${parsed.realm} with id "${parsed.party_id}"`, [
      { path: 'principal', code: 'unknown_party', message: `no ${parsed.realm} with id "${parsed.party_id}"` },
    ]);
}

/** Scoped API keys and partner sign-in links (api/access/). */
export function apiKeyRoutes(deps: { models: Models; now: () => Date; sessionTtlMs: number }): Route[] {
  const { models } = deps;
  const base = { tag: 'Keys and portal links', access: 'admin' } as const;

  /** The key `id` as the caller may see it: a partner's foreign key answers 404 like a missing one. */
  const visibleKey = async (ctx: Context, id: string): Promise<KeyDoc> => {
    const doc = await models.ApiKey.findById(id).lean<KeyDoc>();
    const principal = principalOf(ctx);
    if (!doc || (principal.realm !== 'admin' && doc.principal !== principal.name))
      throw new ApiError(404, 'not_found', `no key with id "${id}"`);
    return doc;
  };

  const mintChecked = async (
    ctx: Context,
    wanted: {
      name: string;
      principal: string;
      read_only: boolean;
      capabilities?: readonly Capability[];
      expires_at: Date;
      rotated_from?: string;
    },
  ) => {
    const caller = principalOf(ctx);
    const parsed = parsePrincipalName(wanted.principal)!;
    const partner = parsed.realm === 'advertiser' || parsed.realm === 'affiliate';
    const held = partner ? (wanted.capabilities ?? allCapabilities) : allCapabilities;
    const broader = broaderThan({ ...wanted, capabilities: held }, caller);
    if (broader)
      throw new ApiError(403, 'broader_than_caller', `a key cannot be broader than the caller's: ${broader.message}`, [
        { ...broader, code: 'broader_than_caller' },
      ]);
    await assertPartyExists(models, wanted.principal);
    return mintKey(models, {
      ...wanted,
      ...(partner ? { capabilities: held } : {}),
      created_by: caller.key_id ? `${caller.name} (${caller.key_id})` : caller.name,
    });
  };

  return [
    route(
      {
        ...base,
        method: 'post',
        path: '/api/keys',
        realms: keyRealms,
        capability: 'manage_keys',
        summary: 'Create a scoped API key (shown once)',
        description:
          'An admin creates a key for any principal; a partner only for itself, and never broader than the key or session it ' +
          'uses: not read-write when it is read-only, no capability it lacks, not outliving it (403 broader_than_caller). Ops ' +
          'manage no keys (403 out_of_realm).',
        body: apiKeyCreateBody,
        responses: { 201: json(apiKeyCreated, 'Created: `key` is shown this once') },
        errors: [400, 403],
        audit: { action: 'api_key.create', target: 'response', detail: (input) => ({ fields: Object.keys(input.body) }) },
      },
      async (ctx, { body }) => {
        const now = deps.now();
        const { key, doc } = await mintChecked(ctx, {
          name: body.name,
          principal: body.principal,
          read_only: body.read_only,
          ...(body.capabilities ? { capabilities: body.capabilities } : {}),
          expires_at: new Date(now.getTime() + body.expires_in_days * 86_400_000),
        });
        ctx.status = 201;
        ctx.set('Cache-Control', 'no-store');
        ctx.body = { ...keyToApi(doc.toObject() as unknown as KeyDoc, now), key };
      },
    ),
    route(
      {
        ...base,
        method: 'get',
        path: '/api/keys',
        realms: keyRealms,
        summary: 'List keys (never the keys themselves)',
        description: "Newest first. A partner sees only its own principal's keys.",
        query: apiKeyListQuery,
        responses: { 200: json(apiKeyList, 'The keys') },
      },
      async (ctx, { query }) => {
        const caller = principalOf(ctx);
        const filter = isPartner(caller) ? { principal: caller.name } : query.principal ? { principal: query.principal } : {};
        if (isPartner(caller) && query.principal && query.principal !== caller.name)
          throw new ApiError(404, 'not_found', `no ${caller.realm} named "${query.principal}"`);
        const docs = await models.ApiKey.find(filter).sort({ created_at: -1 }).limit(1000).lean<KeyDoc[]>();
        const now = deps.now();
        ctx.body = { data: docs.map((d) => keyToApi(d, now)) };
      },
    ),
    route(
      {
        ...base,
        method: 'get',
        path: '/api/keys/{id}',
        realms: keyRealms,
        summary: 'One key (never the key itself)',
        params: byId('key'),
        responses: { 200: json(apiKey, 'The key') },
        errors: [404],
      },
      async (ctx, { params }) => {
        ctx.body = keyToApi(await visibleKey(ctx, params.id), deps.now());
      },
    ),
    route(
      {
        ...base,
        method: 'delete',
        path: '/api/keys/{id}',
        realms: keyRealms,
        capability: 'manage_keys',
        summary: 'Revoke a key: refused at once by every API process, with the sessions opened with it',
        params: byId('key'),
        responses: { 200: json(apiKey, 'Revoked (revoking again changes nothing)') },
        errors: [404],
        audit: { action: 'api_key.revoke', target: 'params' },
      },
      async (ctx, { params }) => {
        const doc = await visibleKey(ctx, params.id);
        const now = deps.now();
        // The first revocation's time stays: revoking again changes nothing.
        await models.ApiKey.updateOne({ _id: doc._id, revoked_at: null }, { $set: { revoked_at: now } });
        ctx.body = keyToApi((await models.ApiKey.findById(doc._id).lean<KeyDoc>()) ?? doc, now);
      },
    ),
    route(
      {
        ...base,
        method: 'post',
        path: '/api/keys/{id}/rotate',
        realms: keyRealms,
        capability: 'manage_keys',
        summary: 'Rotate a key: a new key (shown once); the old one works for the overlap, then ends',
        description:
          "The new key has the old one's principal, name, read-only flag, capabilities and end: rotating replaces a secret, " +
          'it does not extend a lifetime (the admin creates a new key for that).',
        params: byId('key'),
        body: apiKeyRotateBody,
        responses: { 201: json(apiKeyCreated, 'The new key: `key` is shown this once') },
        errors: [403, 404, 409],
        audit: { action: 'api_key.rotate', target: 'params' },
      },
      async (ctx, { params, body }) => {
        const old = await visibleKey(ctx, params.id);
        const now = deps.now();
        if (old.revoked_at || old.expires_at.getTime() <= now.getTime())
          throw new ApiError(409, 'key_inactive', `key ${old._id} is revoked or expired: create a new key instead`);
        const { key, doc } = await mintChecked(ctx, {
          name: old.name,
          principal: old.principal,
          read_only: old.read_only,
          ...(old.capabilities ? { capabilities: old.capabilities as Capability[] } : {}),
          expires_at: old.expires_at,
          rotated_from: old._id,
        });
        const overlapEnd = new Date(Math.min(old.expires_at.getTime(), now.getTime() + body.overlap_hours * 3_600_000));
        await models.ApiKey.updateOne({ _id: old._id }, { $set: { expires_at: overlapEnd, replaced_by: doc._id } });
        ctx.status = 201;
        ctx.set('Cache-Control', 'no-store');
        ctx.body = { ...keyToApi(doc.toObject() as unknown as KeyDoc, now), key };
      },
    ),
    route(
      {
        ...base,
        method: 'post',
        path: '/api/portal-links',
        realms: adminOnly,
        summary: 'A single-use sign-in link for a partner',
        description:
          'Send `url` to the advertiser or affiliate: opening it signs them in to the console once (a second use, or one after ' +
          '`expires_at`, is refused) with the principal, capabilities and read-only flag given here.',
        body: portalLinkCreateBody,
        responses: { 201: json(portalLinkCreated, 'Created: `url` is shown this once') },
        errors: [400],
        audit: { action: 'portal_link.create', target: 'response', detail: (input) => ({ fields: Object.keys(input.body) }) },
      },
      async (ctx, { body }) => {
        await assertPartyExists(models, body.principal);
        const caller = principalOf(ctx);
        const now = deps.now();
        const held = body.capabilities ?? allCapabilities;
        const { token, doc } = await mintPortalLink(models, {
          principal: body.principal,
          read_only: body.read_only,
          capabilities: held,
          expires_at: new Date(now.getTime() + body.expires_in_minutes * 60_000),
          session_ttl_ms: body.session_hours ? body.session_hours * 3_600_000 : deps.sessionTtlMs,
          created_by: caller.name,
        });
        ctx.status = 201;
        ctx.set('Cache-Control', 'no-store');
        ctx.body = {
          id: doc.link_id,
          principal: doc.principal,
          read_only: doc.read_only,
          capabilities: [...held],
          // The fragment is never sent to a server: the token stays out of access logs and Referer headers.
          url: `${ctx.protocol}://${ctx.host}/ui/sign-in#link=${token}`,
          expires_at: doc.expires_at.toISOString(),
        };
      },
    ),
  ];
}
