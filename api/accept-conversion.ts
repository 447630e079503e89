import { isGrpcDeadlineError, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { dedupeKey, singleConversionKey, type ConversionInput, type PostbackStatus } from '../domain/conversion';
import { conversionIdFor } from '../domain/conversion-id';
import type { Goal } from '../domain/offer';
import type { Models } from '../models';
import { searchAttributes } from '../temporal/search-attributes';
import { conversionWorkflowId, workflowTypes, type ProcessConversion } from '../workflows/contract';
import { ApiError } from './errors';

/**
 * How long a new conversion's workflow start may take. While a Temporal service is down or
 * restarting (a history host owning its shard, PostgreSQL under it) the frontend keeps retrying
 * the start: 18 s were seen in the fault suite, past many advertisers' client timeouts. Past this
 * the advertiser gets a 503 with Retry-After instead of a hanging request.
 */
export const WORKFLOW_START_WAIT_MS = 10_000;
const WORKFLOW_START_RETRY_AFTER_S = 5;

export interface AcceptDeps {
  temporal: Client;
  models: Models;
  taskQueue: string;
  reversalWindowHours: number;
  now: () => Date;
}

/** The stored click a conversion is posted for (the postback found it; a test fire made it). */
export interface ClickRef {
  _id: string;
  offer_id: string;
  affiliate_id: string;
  advertiser_id: string;
  test?: boolean | null;
}

export interface ConversionRequest {
  goal?: string;
  txid?: string;
  amount?: string;
  currency?: string;
  status?: PostbackStatus;
  /** With status declined on a new conversion: why (api/mmp/ingest.ts). */
  decline?: { code: string; detail: string };
  ip: string;
}

/**
 * What became of the request: a new conversion (its workflow start durable), a repeat of one, or
 * a status change for an existing one that the caller applies (`status_update`).
 */
export type Acceptance =
  { result: 'accepted' | 'duplicate'; conversionId: string } | { result: 'status_update'; conversionId: string; status: PostbackStatus };

/**
 * The one way a conversion starts, shared by /postback and the test postbacks: the goal checked,
 * the dedupe key and the single-conversion rule applied, and the conversion workflow started under
 * an id derived from the key. A conversion on a test click is a test conversion.
 */
export async function acceptConversion(
  deps: AcceptDeps,
  click: ClickRef,
  offer: { default_goal: string; goals: unknown[] },
  req: ConversionRequest,
): Promise<Acceptance> {
  const goals = offer.goals as Goal[];
  const goalKey = req.goal ?? offer.default_goal;
  const goal = goals.find((g) => g.key === goalKey);
  if (!goal)
    throw new ApiError(400, 'unknown_goal', `goal: offer has no goal "${goalKey}"`, [
      { path: 'goal', code: 'unknown_goal', message: `known goals: ${goals.map((g) => g.key).join(', ')}` },
    ]);

  const key = dedupeKey({
    advertiserId: click.advertiser_id,
    offerId: click.offer_id,
    clickId: click._id,
    goal: goalKey,
    txid: req.txid,
  });
  const conversionId = conversionIdFor(key);
  const update = (): Acceptance =>
    req.status ? { result: 'status_update', conversionId, status: req.status } : { result: 'duplicate', conversionId };

  // Temporal forgets closed workflows after the namespace's retention; the projection does not.
  const existing = await deps.models.Conversion.findById(conversionId, { status: 1 }).lean();
  const singleKey = singleConversionKey({ clickId: click._id, goal: goalKey, allowMultiple: Boolean(goal.allow_multiple), dedupeKey: key });
  if (!existing && !goal.allow_multiple) {
    // One conversion per click and goal unless the goal allows several: a new txid on the same click is a repeat.
    const other = await deps.models.Conversion.findOne({ single_key: singleKey }, { _id: 1 }).lean();
    if (other) return { result: 'duplicate', conversionId: other._id };
  }
  if (existing) return !req.status || req.status === existing.status ? { result: 'duplicate', conversionId } : update();

  const input: ConversionInput = {
    conversionId,
    dedupeKey: key,
    singleKey,
    clickId: click._id,
    offerId: click.offer_id,
    affiliateId: click.affiliate_id,
    advertiserId: click.advertiser_id,
    goal: goalKey,
    txid: req.txid,
    amount: req.amount,
    currency: req.currency,
    status: req.status,
    ...(req.decline ? { decline: req.decline } : {}),
    ip: req.ip,
    receivedAt: deps.now().toISOString(),
    reversalWindowHours: deps.reversalWindowHours,
    ...(click.test ? { test: true } : {}),
  };
  try {
    // start() returns only once the server has persisted the workflow: then 200 is safe.
    await startWithin(deps, WORKFLOW_START_WAIT_MS, conversionId, () =>
      deps.temporal.workflow.start<ProcessConversion>(workflowTypes.processConversion, {
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
      }),
    );
    return { result: 'accepted', conversionId };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return update();
  }
}

/**
 * Runs the start under a gRPC deadline. Past it the start is not confirmed: the server may still
 * persist it, so the 503 says to send the same request again, which then answers `duplicate`
 * (the workflow id is the conversion's) or starts it: never two conversions, never none.
 */
async function startWithin<T>(deps: AcceptDeps, waitMs: number, conversionId: string, start: () => Promise<T>): Promise<T> {
  try {
    return await deps.temporal.withDeadline(Date.now() + waitMs, start);
  } catch (err) {
    if (!isGrpcDeadlineError(err)) throw err;
    throw new ApiError(
      503,
      'unavailable',
      `the workflow server did not confirm conversion "${conversionId}" within ${waitMs / 1000} s; it is not confirmed: ` +
        `send the same request again after ${WORKFLOW_START_RETRY_AFTER_S} s (a conversion already stored answers as a duplicate)`,
      undefined,
      { 'Retry-After': String(WORKFLOW_START_RETRY_AFTER_S) },
    );
  }
}
