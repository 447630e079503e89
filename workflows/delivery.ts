import { condition, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import { runEnding } from '../domain/delivery-run';
import { withJitter } from '../domain/retry-schedule';
import type { DeliverySteps } from '../domain/steps';
import { databaseSteps } from './activity-profiles';
import { endpointResumedSignal, type DeliveryInput, type DeliveryResult } from './contract';

/**
 * One attempt per activity call, never retried by Temporal for an HTTP failure (the schedule
 * is the retry policy, so every attempt is a row and a history event). Database errors inside
 * the activity are thrown and retried like any database step. The timeout is the HTTP timeout
 * plus a margin, so an attempt lost with its worker is retried elsewhere within seconds.
 */
const attemptProfile = (httpTimeoutMs: number) =>
  proxyActivities<DeliverySteps>({
    startToCloseTimeout: httpTimeoutMs + 5_000,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });

/**
 * Delivers one event to one endpoint: attempts on the deployment's schedule (with ±10 %
 * jitter, and at least what Retry-After asks), waiting without spending attempts while the
 * endpoint is paused. Ends succeeded, failed (a permanent 4xx) or dead-lettered, never dropped.
 * A run the conversion workflow began with its first attempt (`continueFrom`) goes on from there.
 */
export async function deliverPostback(input: DeliveryInput): Promise<DeliveryResult> {
  let resumes = 0;
  setHandler(endpointResumedSignal, () => void (resumes += 1));
  const from = input.continueFrom;
  const run = { deliveryId: input.deliveryId, run: input.run };
  const { scheduleMs, timeoutMs } = await databaseSteps().beginDelivery(from ? { ...run, continued: true } : run);
  const { attemptDelivery } = attemptProfile(timeoutMs);
  let attempts = from?.attempts ?? 0;
  let retryAfterMs = from?.retryAfterMs ?? 0;
  if (from?.pausedMs) await sleep(from.pausedMs);
  while (attempts < scheduleMs.length) {
    const planned = scheduleMs[attempts]!;
    const delay = Math.max(withJitter(planned, Math.random()), retryAfterMs);
    if (delay > 0) await sleep(delay);
    // Counted before the attempt: a resume that lands while the attempt still saw the pause wakes the wait below.
    const resumesBefore = resumes;
    const result = await attemptDelivery({ ...run, attempt: attempts + 1, nextDelayMs: scheduleMs[attempts + 1] });
    if (result.outcome === 'paused') {
      retryAfterMs = 0;
      if (result.manual) await condition(() => resumes > resumesBefore, result.waitMs);
      else await sleep(result.waitMs);
      continue;
    }
    attempts += 1;
    const ending = runEnding(result, attempts, scheduleMs.length);
    if (ending) return finish(input, ending.status, attempts, ending.reason);
    retryAfterMs = result.retryAfterMs ?? 0;
  }
  return finish(input, 'dead_lettered', attempts, `no success after ${attempts} attempts`);
}

async function finish(input: DeliveryInput, status: DeliveryResult['status'], attempts: number, reason?: string): Promise<DeliveryResult> {
  await databaseSteps().finishDelivery({ deliveryId: input.deliveryId, status, reason });
  return { deliveryId: input.deliveryId, status, attempts };
}
