import type { Attribution } from '../../activities/attribute';
import type { CapOutcome, CapReservation } from '../../activities/caps';
import type { PlannedDelivery } from '../../activities/delivery-plan';
import type { ScreenOutcome } from '../../activities/screen';
import type { AppliedTransition, TransitionInput } from '../../activities/transitions';
import type { ConversionInput, StatusChange } from '../../domain/conversion';
import { fraudRules, type FraudReasonCode } from '../../domain/fraud';
import { fromMinor } from '../../domain/money';
import type { StatusUpdateResult } from '../../workflows/conversion-api';
import type { HistoryStep } from './history-steps';
import { iso, maskSecrets, type TimelineEntry } from './types';

/** A ledger row as the timeline shows it beside the transition that booked it. */
export interface LedgerLine {
  seq: number;
  account: string;
  amount_minor: number;
  currency: string;
}

/** An activity the server reports as still being attempted (describe().pendingActivities). */
export interface PendingActivity {
  name: string;
  attempt: number;
  lastFailure?: string;
  nextAttemptAt?: number;
}

export interface ConversionContext {
  workflowId: string;
  source: 'conversion' | 'late_status_change';
  ledger: LedgerLine[];
  pending: PendingActivity[];
}

type Activity = Extract<HistoryStep, { type: 'activity' }>;

const HOUR_MS = 3_600_000;

const money = (minor: number, currency: string): string => (currency ? `${fromMinor(minor, currency)} ${currency}` : String(minor));
const signed = (minor: number, currency: string): string => `${minor >= 0 ? '+' : ''}${money(minor, currency)}`;

function humanDuration(ms: number): string {
  if (ms >= 48 * HOUR_MS && ms % (24 * HOUR_MS) === 0) return `${ms / (24 * HOUR_MS)} days`;
  if (ms >= HOUR_MS) return `${+(ms / HOUR_MS).toFixed(2)} h`;
  if (ms >= 1000) return `${+(ms / 1000).toFixed(2)} s`;
  return `${ms} ms`;
}

/**
 * The conversion workflow's steps (processConversion, or applyLateStatusChange after it closed)
 * as timeline entries: received, each fraud rule and its verdict, attribution, caps, each status
 * change with who made it and its ledger lines, deliveries planned, waits, and how it ended.
 */
export function conversionEntries(steps: HistoryStep[], ctx: ConversionContext): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const push = (e: Omit<TimelineEntry, 'source' | 'workflow_id'>) =>
    entries.push({ source: ctx.source, workflow_id: ctx.workflowId, ...e });
  let status = 'processing';
  let holdHours: number | undefined;
  // The first postback's parameters: local activities keep no input, so steps read it from here.
  let received: ConversionInput | undefined;

  for (const step of steps) {
    switch (step.type) {
      case 'started': {
        if (step.workflowType === 'processConversion') {
          const input = step.input[0] as ConversionInput;
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
            title: `postback received: ${parts.filter(Boolean).join(', ')}`,
            outcome: 'ok',
            detail: { parameters: maskSecrets(input), workflow_started_at: iso(step.at) },
          });
        } else {
          const input = step.input[0] as { change?: StatusChange } | undefined;
          push({
            at: iso(step.at),
            duration_ms: null,
            kind: 'status_request',
            title:
              `late status change asked for: ${input?.change?.status ?? '?'} by ${input?.change?.actor ?? '?'}` +
              ' (the conversion workflow had closed)',
            outcome: 'info',
            detail: { change: maskSecrets(input?.change) },
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
        for (const e of activityEntries(step, ctx.ledger, { received, status })) push(e);
        if (step.name === 'recordTransition') status = transitionOf(step).to;
        break;
      case 'update': {
        const change = step.input[0] as StatusChange | undefined;
        const result = step.result as StatusUpdateResult | undefined;
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
        // The conversion workflow waits for two reasons: a goal's hold period, or the reversal window.
        const why =
          status === 'held' && holdHours !== undefined && step.durationMs === holdHours * HOUR_MS
            ? 'hold period'
            : status === 'approved'
              ? 'reversal window'
              : 'wait';
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
              ? `workflow closed with the conversion ${(step.result as { status?: string } | undefined)?.status ?? status}`
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
    if (step.type === 'activity' && step.name === 'screenConversion' && step.state === 'completed') {
      const goalKey = received?.goal ?? (step.input as ConversionInput).goal;
      holdHours = (step.result as ScreenOutcome).offer.goals.find((g) => g.key === goalKey)?.hold_hours;
    }
  }
  return entries;
}

/** A scheduled activity with no end yet: still running, or being retried after failures. */
function unfinishedActivity(step: Activity, pending: PendingActivity[]): Omit<TimelineEntry, 'source' | 'workflow_id'> {
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

/** The transition a recordTransition step applied: from its input, or (local activity) its result. */
const transitionOf = (step: Activity): AppliedTransition =>
  (step.input as TransitionInput | undefined) ?? (step.result as { transition: AppliedTransition }).transition;

/** What one completed activity of the conversion workflow means for the conversion. */
function activityEntries(
  step: Activity,
  ledger: LedgerLine[],
  state: { received?: ConversionInput; status: string },
): Omit<TimelineEntry, 'source' | 'workflow_id'>[] {
  const at = iso(step.startedAt ?? step.scheduledAt);
  // A local activity's marker carries no trustworthy duration (its times come from different clocks).
  const duration_ms = !step.local && step.closedAt !== undefined ? step.closedAt - (step.startedAt ?? step.scheduledAt) : null;
  const base = { at, duration_ms, ...(step.attempt > 1 ? { attempt: step.attempt } : {}) };
  switch (step.name) {
    case 'screenConversion': {
      const result = step.result as ScreenOutcome;
      if (result.duplicateOf)
        return [
          {
            ...base,
            kind: 'fraud_check',
            title: `duplicate: conversion ${result.duplicateOf} already counts this click and goal`,
            outcome: 'failed',
            detail: { duplicate_of: result.duplicateOf },
          },
        ];
      const failed = new Map(result.screen.reasons.map((r) => [r.code, r.detail]));
      const rules = (Object.entries(fraudRules) as [FraudReasonCode, (typeof fraudRules)[FraudReasonCode]][]).filter(
        ([code, rule]) => rule.enabled(result.offer) || failed.has(code),
      );
      const perRule = rules.map(([code, rule]) => {
        const why = failed.get(code);
        return {
          ...base,
          duration_ms: null,
          kind: 'fraud_check',
          title: `fraud rule ${rule.rule} (${rule.describe(result.offer)}): ${why === undefined ? 'passed' : `failed, ${why}`}`,
          outcome: why === undefined ? ('ok' as const) : ('failed' as const),
          detail: { rule: rule.rule, code, passed: why === undefined, ...(why ? { reason: why } : {}) },
        };
      });
      const verdict = result.screen.verdict;
      const summary = {
        ...base,
        kind: 'fraud_verdict',
        title:
          `fraud screening: ${verdict === 'pass' ? 'passed' : verdict === 'hold' ? 'hold for review' : 'reject'}` +
          `${verdict === 'pass' ? '' : ` (${result.screen.reasons.map((r) => r.code).join(', ')})`}`,
        outcome: verdict === 'pass' ? ('ok' as const) : verdict === 'hold' ? ('waiting' as const) : ('failed' as const),
        detail: { verdict, reasons: result.screen.reasons, action: result.offer.fraud.action ?? 'reject' },
      };
      return [...perRule, summary];
    }
    case 'attributeConversion': {
      const result = step.result as Attribution;
      if (!result.ok)
        return [
          {
            ...base,
            kind: 'attribution',
            title: `attribution failed: ${result.reason}, ${result.detail}`,
            outcome: 'failed',
            detail: { reason: result.reason, detail: result.detail },
          },
        ];
      const input = step.input as { offer: { id: string }; click: { affiliate_id: string } } | undefined;
      const affiliate = state.received?.affiliateId ?? input?.click.affiliate_id;
      const offer = state.received?.offerId ?? input?.offer.id;
      return [
        {
          ...base,
          kind: 'attribution',
          title:
            `attributed to affiliate ${affiliate} on offer ${offer}: payout ${money(result.payoutMinor, result.currency)}, ` +
            `revenue ${money(result.revenueMinor, result.currency)}${result.override ? ' (affiliate override)' : ''}`,
          outcome: 'ok',
          detail: { ...result },
        },
      ];
    }
    case 'reserveCaps': {
      const result = step.result as CapOutcome;
      if (!result.ok)
        return [
          {
            ...base,
            kind: 'cap',
            title: `cap ${result.capId} reached: ${result.detail}; the conversion is ${result.onExceed === 'hold' ? 'held' : 'rejected'}`,
            outcome: 'failed',
            detail: { cap_id: result.capId, on_exceed: result.onExceed, detail: result.detail },
          },
        ];
      return [
        {
          ...base,
          kind: 'cap',
          title:
            result.reservations.length === 0
              ? 'no cap applies'
              : `reserved ${result.reservations.length} cap slot(s): ${result.reservations.map((r) => r.counterId).join(', ')}`,
          outcome: 'ok',
          detail: { reservations: result.reservations },
        },
      ];
    }
    case 'releaseCaps': {
      const reservations =
        (step.input as { reservations: CapReservation[] } | undefined)?.reservations ??
        (step.result as { released: CapReservation[] }).released;
      return [
        {
          ...base,
          kind: 'cap',
          title: `released ${reservations.length} cap slot(s)`,
          outcome: 'info',
          detail: { reservations },
        },
      ];
    }
    case 'recordTransition': {
      const input = transitionOf(step);
      const lines = ledger.filter((l) => l.seq === input.seq && l.amount_minor !== 0);
      const change = {
        ...base,
        kind: 'status_change',
        title:
          `${input.from} → ${input.to} by ${input.actor}${input.reason ? `: ${input.reason}` : ''}` +
          `${input.reasonCodes.length > 0 && input.reasonCodes.join() !== input.reason ? ` [${input.reasonCodes.join(', ')}]` : ''}`,
        outcome: (input.to === 'rejected' || input.to === 'declined' || input.to === 'reversed'
          ? 'failed'
          : 'ok') as TimelineEntry['outcome'],
        detail: {
          seq: input.seq,
          from: input.from,
          to: input.to,
          actor: input.actor,
          reason: input.reason,
          reason_codes: input.reasonCodes,
        },
      };
      const booked = {
        ...base,
        duration_ms: null,
        kind: 'ledger',
        title:
          lines.length === 0
            ? 'ledger: nothing to book for this change'
            : `ledger: ${lines.map((l) => `${l.account} ${signed(l.amount_minor, l.currency)}`).join(', ')}`,
        outcome: 'info' as const,
        detail: { seq: input.seq, entries: lines },
      };
      return [change, booked];
    }
    case 'planDeliveries': {
      // The event is the status just entered (the input, when the step was a remote activity).
      const event = (step.input as { event: string } | undefined)?.event ?? state.status;
      const planned = (step.result as PlannedDelivery[]) ?? [];
      return [
        {
          ...base,
          kind: 'delivery_planned',
          title:
            planned.length === 0
              ? `event ${event}: no affiliate endpoint subscribed`
              : `event ${event}: ${planned.length} affiliate postback(s) planned (${planned.map((p) => p.deliveryId).join(', ')})`,
          outcome: 'info',
          detail: { event, deliveries: planned },
        },
      ];
    }
    default:
      return [{ ...base, kind: 'step', title: `${step.name} done`, outcome: 'info', detail: {} }];
  }
}
