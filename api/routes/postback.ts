import type { RouterContext } from '@koa/router';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { dedupeKey, singleConversionKey, type ConversionInput } from '../../domain/conversion';
import { conversionIdFor } from '../../domain/conversion-id';
import { allowlistAdmits } from '../../domain/ip';
import type { Goal } from '../../domain/offer';
import type { Models } from '../../models';
import { searchAttributes } from '../../temporal/search-attributes';
import { conversionWorkflowId, workflowTypes, type ProcessConversion } from '../../workflows/contract';
import { acceptedMatch, expiredTokenMessage, matchToken } from '../advertiser-token';
import { ApiError, parseOr400 } from '../errors';
import { noteIngressAdvertiser } from '../ingress-log/recorder';
import { json } from '../openapi/operation';
import { annotateRequest } from '../request-context';
import type { RateLimit } from '../rate-limit';
import { route, type Route } from '../route';
import { normalisePostbackParams, postbackAliases, postbackResult, postbackSchema, type PostbackInput } from '../schemas/postback';
import { requestStatusChange } from '../status-change';

export interface PostbackDeps {
  temporal: Client;
  models: Models;
  taskQueue: string;
  reversalWindowHours: number;
  now: () => Date;
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
    const [offer, advertiser] = await Promise.all([
      deps.models.Offer.findById(click.offer_id).lean(),
      deps.models.Advertiser.findById(click.advertiser_id).lean(),
    ]);
    if (!offer || !advertiser) throw new ApiError(404, 'unknown_click', `click "${params.click_id}" belongs to no known offer`);
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
    return { click, offer };
  };

  const handle = async (ctx: RouterContext) => {
    const params = parseOr400(postbackSchema, rawParams(ctx));
    const { click, offer } = await authenticate(ctx, params);
    // Counted only once the caller has proved to be the advertiser: a stranger who knows a click
    // id must not be able to spend the advertiser's budget and get its real postbacks refused.
    await deps.advertiserLimit?.(ctx, click.advertiser_id);
    const goalKey = params.goal ?? offer.default_goal;
    const goal = (offer.goals as Goal[]).find((g) => g.key === goalKey);
    if (!goal)
      throw new ApiError(400, 'unknown_goal', `goal: offer has no goal "${goalKey}"`, [
        {
          path: 'goal',
          code: 'unknown_goal',
          message: `known goals: ${(offer.goals as Goal[]).map((g) => g.key).join(', ')}`,
        },
      ]);

    const key = dedupeKey({
      advertiserId: click.advertiser_id,
      offerId: click.offer_id,
      clickId: click._id,
      goal: goalKey,
      txid: params.txid,
    });
    const conversionId = conversionIdFor(key);
    // For the access line.
    const annotate = (id: string) => annotateRequest(ctx, { conversion_id: id, workflow_id: conversionWorkflowId(id) });
    annotate(conversionId);
    const answer = (id: string, result: string, extra: Record<string, unknown> = {}) => {
      if (id !== conversionId) annotate(id); // a repeat on the same click answers with the first conversion
      ctx.body = { conversion_id: id, result, ...extra };
    };

    // Temporal forgets closed workflows after the namespace's retention; the projection does not.
    const existing = await deps.models.Conversion.findById(conversionId, { status: 1 }).lean();
    const singleKey = singleConversionKey({
      clickId: click._id,
      goal: goalKey,
      allowMultiple: Boolean(goal.allow_multiple),
      dedupeKey: key,
    });
    if (!existing && !goal.allow_multiple) {
      // One conversion per click and goal unless the goal allows several: a new txid on the same click is a repeat.
      const other = await deps.models.Conversion.findOne({ single_key: singleKey }, { _id: 1 }).lean();
      if (other) return answer(other._id, 'duplicate');
    }
    if (existing) {
      if (!params.status || params.status === existing.status) return answer(conversionId, 'duplicate');
      return statusUpdate(ctx, conversionId, params);
    }

    const input: ConversionInput = {
      conversionId,
      dedupeKey: key,
      singleKey,
      clickId: click._id,
      offerId: click.offer_id,
      affiliateId: click.affiliate_id,
      advertiserId: click.advertiser_id,
      goal: goalKey,
      txid: params.txid,
      amount: params.amount,
      currency: params.currency,
      status: params.status,
      ip: params.ip ?? ctx.ip,
      receivedAt: deps.now().toISOString(),
      reversalWindowHours: deps.reversalWindowHours,
    };
    try {
      // start() returns only once the server has persisted the workflow: then 200 is safe.
      await deps.temporal.workflow.start<ProcessConversion>(workflowTypes.processConversion, {
        workflowId: conversionWorkflowId(conversionId),
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        typedSearchAttributes: [
          { key: searchAttributes.clickId, value: click._id },
          { key: searchAttributes.offerId, value: click.offer_id },
          { key: searchAttributes.affiliateId, value: click.affiliate_id },
          { key: searchAttributes.advertiserId, value: click.advertiser_id },
          { key: searchAttributes.goal, value: goalKey },
          { key: searchAttributes.status, value: 'processing' },
        ],
      });
      return answer(conversionId, 'accepted');
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      if (!params.status) return answer(conversionId, 'duplicate');
      return statusUpdate(ctx, conversionId, params);
    }
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
  "the advertiser is active and the caller's IP allowed (403), the goal exists (400). 200 means the workflow start is durable.";
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
    errors: [400, 403, 404, 409, 429],
  }) as const;
