import Router, { type RouterContext } from '@koa/router';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { DEFAULT_GOAL, dedupeKey, workflowIdFor, type ConversionInput } from '../../domain/conversion';
import { conversionIdFor } from '../../domain/conversion-id';
import type { Models } from '../../models';
import { searchAttributes } from '../../temporal/search-attributes';
import { ApiError, parseOr400 } from '../errors';
import { postbackSchema } from '../schemas/postback';

export interface PostbackDeps {
  temporal: Client;
  models: Models;
  taskQueue: string;
  now: () => Date;
}

/** Query string and body together; the body wins, as a POST's fields are the deliberate ones. */
function rawParams(ctx: RouterContext): Record<string, unknown> {
  const body: unknown = (ctx.request as { body?: unknown }).body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw new ApiError(400, 'invalid_request', 'the body must be a JSON object or a form');
  }
  const token = ctx.get('x-postback-token');
  return { ...(token ? { token } : {}), ...ctx.query, ...(body as Record<string, unknown> | undefined) };
}

export function postbackRoutes(deps: PostbackDeps): Router {
  const router = new Router();

  const handle = async (ctx: RouterContext) => {
    const params = parseOr400(postbackSchema, rawParams(ctx));
    const goal = params.goal ?? DEFAULT_GOAL;
    const key = dedupeKey({ clickId: params.click_id, goal, txid: params.txid });
    const conversionId = conversionIdFor(key);

    // Temporal forgets closed workflows after the namespace's retention; the projection does not.
    if (await deps.models.Conversion.exists({ _id: conversionId })) {
      ctx.body = { conversion_id: conversionId, result: 'duplicate' };
      return;
    }

    const input: ConversionInput = {
      conversionId,
      dedupeKey: key,
      clickId: params.click_id,
      goal,
      txid: params.txid,
      amount: params.amount,
      currency: params.currency,
      status: params.status,
      receivedAt: deps.now().toISOString(),
    };
    try {
      // The start call returns only once the server has persisted the workflow: then 200 is safe.
      await deps.temporal.workflow.start('processConversion', {
        workflowId: workflowIdFor(conversionId),
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        typedSearchAttributes: [
          { key: searchAttributes.clickId, value: params.click_id },
          { key: searchAttributes.goal, value: goal },
        ],
      });
      ctx.body = { conversion_id: conversionId, result: 'accepted' };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      ctx.body = { conversion_id: conversionId, result: 'duplicate' };
    }
  };

  router.get('/postback', handle);
  router.post('/postback', handle);
  return router;
}
