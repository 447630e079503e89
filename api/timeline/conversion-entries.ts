import type { ConversionInput } from '../../domain/conversion';
import type { LifecycleStatus } from '../../domain/status';
import type { AppliedTransition } from '../../workflows/contract';
import { activityEntries, transitionOf, type EntryDraft, type LedgerLine } from './conversion-steps';
import { firstAttemptEntries, type DeliveryFacts } from './delivery-entries';
import type { HistoryStep } from './history-steps';
import { recorded, statusUpdate, workflowInput, workflowResult, type ActivityStep } from './recorded';
import { iso, maskSecrets, type PendingActivity, type TimelineEntry } from './types';

export type { LedgerLine } from './conversion-steps';
export type { PendingActivity } from './types';

export interface ConversionContext {
  workflowId: string;
  source: 'conversion' | 'late_status_change';
  ledger: LedgerLine[];
  pending: PendingActivity[];
  /** The conversion's deliveries and their attempt rows: first attempts are made inside this workflow. */
  deliveries?: DeliveryFacts[];
}

const HOUR_MS = 3_600_000;

function humanDuration(ms: number): string {
  if (ms >= 48 * HOUR_MS && ms % (24 * HOUR_MS) === 0) return `${ms / (24 * HOUR_MS)} days`;
  if (ms >= HOUR_MS) return `${+(ms / HOUR_MS).toFixed(2)} h`;
  if (ms >= 1000) return `${+(ms / 1000).toFixed(2)} s`;
  return `${ms} ms`;
}

/**
 * Why the conversion workflow waits, from the transition it recorded last (the rule of its
 * lifecycle loop): a hold period after a change to held for `hold_period`, the reversal window
 * after a change to approved.
 */
function waitReason(last: AppliedTransition | undefined): 'hold period' | 'reversal window' | 'wait' {
  if (last?.to === 'held' && last.reasonCodes.includes('hold_period')) return 'hold period';
  if (last?.to === 'approved') return 'reversal window';
  return 'wait';
}

/**
 * The conversion workflow's steps (processConversion, or applyLateStatusChange after it closed)
 * as timeline entries: received, each fraud rule and its verdict, attribution, caps, each status
 * change with who made it and its ledger lines, deliveries planned, waits, and how it ended.
 */
export function conversionEntries(steps: HistoryStep[], ctx: ConversionContext): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const push = (e: EntryDraft) => entries.push({ source: ctx.source, workflow_id: ctx.workflowId, ...e });
  let status: LifecycleStatus = 'processing';
  let lastTransition: AppliedTransition | undefined;
  let received: ConversionInput | undefined;
  let late = false;

  for (const step of steps) {
    switch (step.type) {
      case 'started': {
        const input = workflowInput(step, 'processConversion');
        if (input) {
          received = input;
          const parts = [
            `click ${input.clickId}`,
            `goal ${input.goal}`,
            input.txid ? `txid ${input.txid}` : '',
            input.amount ? `amount ${input.amount}${input.currency ? ` ${input.currency}` : ''}` : '',
            input.status ? `status ${input.status}` : '',
            input.ip ? `from ${input.ip}` : '',
          ];
          const receivedAt = Date.parse(input.receivedAt);
          push({
            at: iso(Number.isNaN(receivedAt) ? step.at : receivedAt),
            duration_ms: null,
            kind: 'received',
            title: input.test
              ? `TEST conversion (no cap place, no ledger line, in no report) received: ${parts.filter(Boolean).join(', ')}`
              : `postback received: ${parts.filter(Boolean).join(', ')}`,
            outcome: 'ok',
            detail: { parameters: maskSecrets(input), workflow_started_at: iso(step.at) },
          });
        } else {
          late = true;
          const change = workflowInput(step, 'applyLateStatusChange')?.change;
          push({
            at: iso(step.at),
            duration_ms: null,
            kind: 'status_request',
            title:
              `late status change asked for: ${change?.status ?? '?'} by ${change?.actor ?? '?'}` + ' (the conversion workflow had closed)',
            outcome: 'info',
            detail: { change: maskSecrets(change) },
          });
        }
        break;
      }
      case 'activity':
        if (step.state === 'completed' && step.attempt > 1) {
          push({
            at: iso(step.scheduledAt),
            duration_ms: (step.startedAt ?? step.scheduledAt) - step.scheduledAt,
            kind: 'retry',
            title:
              `${step.name} failed ${step.attempt - 1} time(s) before it succeeded` +
              `${step.lastFailure ? `; last error: ${step.lastFailure.message}` : ''}`,
            outcome: 'retrying',
            attempt: step.attempt,
            detail: { activity: step.name, last_failure: step.lastFailure },
          });
        }
        if (step.state !== 'completed') {
          push(unfinishedActivity(step, ctx.pending));
          break;
        }
        {
          const first = recorded(step, 'firstDeliveryAttempt');
          if (first) {
            for (const e of firstAttemptEntries(first, step, ctx.deliveries ?? [])) push(e);
            break;
          }
        }
        for (const e of activityEntries(step, { ledger: ctx.ledger, received, status })) push(e);
        {
          const record = recorded(step, 'recordTransition');
          const applied = record && transitionOf(record);
          if (applied) {
            lastTransition = applied;
            status = applied.to;
          }
        }
        break;
      case 'update': {
        const { change, result } = statusUpdate(step);
        const asked = `${change?.actor ?? '?'} asked for ${change?.status ?? '?'}${change?.reason ? ` ("${change.reason}")` : ''}`;
        const title = step.failure
          ? `${asked}: refused, ${step.failure.message}`
          : result && !result.changed
            ? `${asked}: already ${result.conversion.status}, nothing changed`
            : step.completedAt === undefined
              ? `${asked}: being applied`
              : `${asked}: applied`;
        push({
          at: iso(step.acceptedAt),
          duration_ms: step.completedAt !== undefined ? step.completedAt - step.acceptedAt : null,
          kind: 'status_request',
          title,
          outcome: step.failure ? 'failed' : step.completedAt === undefined ? 'waiting' : result?.changed ? 'ok' : 'info',
          detail: { change: maskSecrets(change), ...(step.failure ? { failure: step.failure } : {}) },
        });
        break;
      }
      case 'timer': {
        const why = waitReason(lastTransition);
        const ended =
          step.state === 'fired'
            ? why === 'hold period'
              ? 'elapsed'
              : 'closed'
            : step.state === 'canceled'
              ? 'ended early by a status change'
              : 'still open';
        push({
          at: iso(step.startedAt),
          duration_ms: step.endedAt !== undefined ? step.endedAt - step.startedAt : null,
          kind: 'wait',
          title: `${why} of ${humanDuration(step.durationMs)}: ${ended}`,
          outcome: step.state === 'waiting' ? 'waiting' : 'info',
          detail: { timer_ms: step.durationMs, state: step.state },
        });
        break;
      }
      case 'closed':
        push({
          at: iso(step.at),
          duration_ms: null,
          kind: 'workflow',
          title:
            step.status === 'completed'
              ? `workflow closed with the conversion ${closedStatus(step, late) ?? status}`
              : `workflow ${step.status.replace(/_/g, ' ')}${step.failure ? `: ${step.failure.message}` : ''}`,
          outcome: step.status === 'completed' || step.status === 'continued_as_new' ? 'info' : 'failed',
          detail: step.failure ? { failure: step.failure } : {},
        });
        break;
      case 'task_failed':
        push({
          at: iso(step.at),
          duration_ms: null,
          kind: 'workflow',
          title: `workflow task failed (the worker retries it): ${step.failure?.message ?? ''}`,
          outcome: 'retrying',
          detail: { failure: step.failure },
        });
        break;
      default:
        break; // child starts are shown by the delivery's own entries; signals are not used
    }
  }
  return entries;
}

/** The conversion's status in a run's result: processConversion returns the view, a late change the update result. */
function closedStatus(step: Extract<HistoryStep, { type: 'closed' }>, late: boolean): LifecycleStatus | undefined {
  return late ? workflowResult(step, 'applyLateStatusChange')?.conversion.status : workflowResult(step, 'processConversion')?.status;
}

/** A scheduled activity with no end yet: still running, or being retried after failures. */
function unfinishedActivity(step: ActivityStep, pending: PendingActivity[]): EntryDraft {
  if (step.state === 'scheduled') {
    const p = pending.find((a) => a.name === step.name);
    const retrying = p !== undefined && p.attempt > 1;
    return {
      at: iso(step.scheduledAt),
      duration_ms: null,
      kind: 'step',
      title: retrying
        ? `${step.name} is being retried: attempt ${p.attempt}${p.lastFailure ? `, last error: ${p.lastFailure}` : ''}`
        : `${step.name} is running`,
      outcome: retrying ? 'retrying' : 'waiting',
      ...(p ? { attempt: p.attempt } : {}),
      detail: { activity: step.name, ...(p?.nextAttemptAt ? { next_attempt_at: iso(p.nextAttemptAt) } : {}) },
    };
  }
  return {
    at: iso(step.scheduledAt),
    duration_ms: step.closedAt !== undefined ? step.closedAt - step.scheduledAt : null,
    kind: 'step',
    title: `${step.name} ${step.state.replace('_', ' ')}${step.failure ? `: ${step.failure.message}` : ''}`,
    outcome: 'failed',
    attempt: step.attempt,
    detail: { activity: step.name, failure: step.failure },
  };
}
