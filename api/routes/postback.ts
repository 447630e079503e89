import type { RouterContext } from '@koa/router';
import { allowlistAdmits } from '../../domain/ip';
import { conversionWorkflowId } from '../../workflows/contract';
import { acceptConversion, type AcceptDeps } from '../accept-conversion';
import { acceptedMatch, expiredTokenMessage, matchToken } from '../advertiser-token';
import { ApiError, parseOr400 } from '../errors';
import { noteIngressAdvertiser } from '../ingress-log/recorder';
import { json } from '../openapi/operation';
import { annotateRequest } from '../request-context';
import type { RateLimit } from '../rate-limit';
import { route, type Route } from '../route';
import { normalisePostbackParams, postbackAliases, postbackResult, postbackSchema, type PostbackInput } from '../schemas/postback';
import { requestStatusChange } from '../status-change';

export interface PostbackDeps extends AcceptDeps {
  /** Per-advertiser limit (api/rate-limit.ts); absent when off. */
  advertiserLimit?: RateLimit;
}

/** Query string and body together; the body wins, as a POST's fields are the deliberate ones. */
function rawParams(ctx: RouterContext): Record<string, unknown> {
  const body: unknown = (ctx.request as { body?: unknown }).body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw new ApiError(400, 'invalid_request', 'the body must be a JSON object or a form');
  }
  const token = ctx.get('x-postback-token');
  return normalisePostbackParams({
    ...(token ? { token } : {}),
    ...ctx.query,
    ...(body as Record<string, unknown> | undefined),
  });
}

/**
 * The synchronous part of a postback: validate, find the click, authenticate the advertiser,
 * dedupe, and start (or update) the conversion workflow. Everything slow happens in the workflow.
 */
export function postbackRoutes(deps: PostbackDeps): Route[] {
  const authenticate = async (ctx: RouterContext, params: PostbackInput) => {
    const click = await deps.models.Click.findById(params.click_id).lean();
    if (!click)
      throw new ApiError(404, 'unknown_click', `no click with id "${params.click_id}": check the click id macro in your postback URL`);
    const advertiserId = click.advertiser_id;
    const [offer, advertiser] = await Promise.all([
      deps.models.Offer.findById(click.offer_id).lean(),
      advertiserId ? deps.models.Advertiser.findById(advertiserId).lean() : null,
    ]);
    if (!offer || !advertiser || !advertiserId)
      throw new ApiError(404, 'unknown_click', `click "${params.click_id}" belongs to no known offer`);
    noteIngressAdvertiser(ctx, advertiser._id, false);
    if (!params.token)
      throw new ApiError(401, 'missing_token', 'send the advertiser postback token as token=… or the X-Postback-Token header');
    // A rotated-out token keeps working until its overlap ends (api/advertiser-token.ts).
    const match = matchToken(advertiser, params.token, deps.now());
    if (match === 'expired') throw new ApiError(401, 'invalid_token', expiredTokenMessage(advertiser));
    if (!acceptedMatch(match)) throw new ApiError(401, 'invalid_token', "the token is not this click's advertiser's postback token");
    noteIngressAdvertiser(ctx, advertiser._id, true);
    const ip = ctx.ip;
    if (!advertiser.active) throw new ApiError(403, 'advertiser_inactive', 'this advertiser is deactivated');
    if (advertiser.ip_allowlist.length > 0 && !allowlistAdmits(advertiser.ip_allowlist, ip))
      throw new ApiError(403, 'ip_not_allowed', `postbacks from ${ip} are not in the advertiser's IP allowlist`);
    // A trafficback click never reached this offer's landing page: a conversion on it would count
    // toward an offer that turned the visitor away (its cap, its pause). Nothing is stored.
    const trafficback = click.trafficback as { reason: string; child_click_id?: string } | undefined;
    if (trafficback)
      throw new ApiError(
        409,
        'trafficback_click',
        `click "${click._id}" was not sent to this offer (trafficback: ${trafficback.reason}), so it cannot convert on it` +
          (trafficback.child_click_id ? `; the visitor went on with click "${trafficback.child_click_id}"` : ''),
      );
    return { click: { ...click, advertiser_id: advertiserId }, offer };
  };

  const handle = async (ctx: RouterContext) => {
    const params = parseOr400(postbackSchema, rawParams(ctx));
    const { click, offer } = await authenticate(ctx, params);
    // Counted only once the caller has proved to be the advertiser: a stranger who knows a click
    // id must not be able to spend the advertiser's budget and get its real postbacks refused.
    await deps.advertiserLimit?.(ctx, click.advertiser_id);
    const accepted = await acceptConversion(deps, click, offer, { ...params, ip: params.ip ?? ctx.ip });
    // For the access line.
    annotateRequest(ctx, { conversion_id: accepted.conversionId, workflow_id: conversionWorkflowId(accepted.conversionId) });
    if (accepted.result === 'status_update') return statusUpdate(ctx, accepted.conversionId, params);
    ctx.body = { conversion_id: accepted.conversionId, result: accepted.result };
  };

  const statusUpdate = async (ctx: RouterContext, conversionId: string, params: PostbackInput) => {
    const result = await requestStatusChange(deps.temporal, deps.taskQueue, conversionId, {
      status: params.status!,
      reason: 'advertiser_postback',
      actor: 'advertiser',
    });
    ctx.body = {
      conversion_id: conversionId,
      result: result.changed ? 'status_update' : 'duplicate',
      status: result.conversion.status,
    };
  };

  return [route(postbackSpec('get'), handle), route(postbackSpec('post'), handle)];
}

const aliasList = Object.entries(postbackAliases)
  .map(([name, aliases]) => `\`${name}\`: ${aliases.map((a) => `\`${a}\``).join(', ')}`)
  .join('; ');
const postbackDescription =
  'A conversion, or a status update of one. Parameters come in the query string, a form or a JSON body (the body wins). ' +
  `When a canonical name is absent, an alias is read: ${aliasList}. ` +
  'Checked synchronously, nothing stored on failure (but a row in the ingress log): validation (400), ' +
  'the click exists (404 unknown_click), the token (401), ' +
  "the advertiser is active and the caller's IP allowed (403), the goal exists (400). 200 means the workflow start is durable. " +
  'A status update waits at most 10 s for the conversion to take it, else 503 `status_update_pending` with Retry-After: send it again. ' +
  'A new conversion waits at most 10 s for Temporal to confirm its start, else 503 `unavailable` with Retry-After: send it again.';
// The token is documented as the security scheme, not as an ordinary parameter.
const postbackParams = postbackSchema.omit({ token: true });

const postbackSpec = (method: 'get' | 'post') =>
  ({
    method,
    path: '/postback',
    tag: 'Advertiser postbacks',
    access: 'postback',
    summary: method === 'get' ? 'Send a conversion (query string)' : 'Send a conversion (form or JSON body)',
    description: postbackDescription,
    ...(method === 'get' ? { query: postbackParams } : { body: postbackParams, form: true }),
    mergedInput: true,
    responses: { 200: json(postbackResult, 'accepted, duplicate or status_update') },
    errors: [400, 403, 404, 409, 429, 503],
  }) as const;
