import type { ConversionInput } from '../../domain/conversion';
import { fraudRules, type FraudReasonCode } from '../../domain/fraud';
import { fromMinor } from '../../domain/money';
import { isFinal, type LifecycleStatus } from '../../domain/status';
import type { AppliedTransition, ConversionSteps } from '../../workflows/contract';
import { recorded, type ActivityStep, type RecordedStep } from './recorded';
import type { TimelineEntry } from './types';

/** A ledger row as the timeline shows it beside the transition that booked it. */
export interface LedgerLine {
  seq: number;
  account: string;
  amount_minor: number;
  currency: string;
}

export type EntryDraft = Omit<TimelineEntry, 'source' | 'workflow_id'>;
type EntryBase = Pick<EntryDraft, 'at' | 'duration_ms' | 'attempt'>;

/** What a step's entries may draw on besides the step itself. */
export interface StepContext {
  ledger: LedgerLine[];
  /** The first postback's parameters: local activities keep no input, so steps read it from here. */
  received?: ConversionInput;
  /** The status before this step. */
  status: LifecycleStatus;
}

type StepView<N extends keyof ConversionSteps> = (step: RecordedStep<N>, base: EntryBase, ctx: StepContext) => EntryDraft[];

const money = (minor: number, currency: string): string => (currency ? `${fromMinor(minor, currency)} ${currency}` : String(minor));
const signed = (minor: number, currency: string): string => `${minor >= 0 ? '+' : ''}${money(minor, currency)}`;

/** The transition a recordTransition step applied: from its result, or (older remote activity) its input. */
export function transitionOf(step: RecordedStep<'recordTransition'>): AppliedTransition | undefined {
  return step.result && 'transition' in step.result ? step.result.transition : step.input;
}

/**
 * How each step of the conversion workflows reads in the timeline. Keyed by the step contract, so
 * a step renamed, added or given another result is a type error here until the timeline follows.
 */
const conversionStepViews: { [N in keyof ConversionSteps]: StepView<N> } = {
  screenConversion: ({ result }, base) => {
    if (!result) return [];
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
    const rules = (Object.keys(fraudRules) as FraudReasonCode[]).filter(
      (code) => fraudRules[code].enabled(result.offer) || failed.has(code),
    );
    const perRule = rules.map((code): EntryDraft => {
      const rule = fraudRules[code];
      const why = failed.get(code);
      return {
        ...base,
        duration_ms: null,
        kind: 'fraud_check',
        title: `fraud rule ${rule.rule} (${rule.describe(result.offer)}): ${why === undefined ? 'passed' : `failed, ${why}`}`,
        outcome: why === undefined ? 'ok' : 'failed',
        detail: { rule: rule.rule, code, passed: why === undefined, ...(why ? { reason: why } : {}) },
      };
    });
    const verdict = result.screen.verdict;
    const summary: EntryDraft = {
      ...base,
      kind: 'fraud_verdict',
      title:
        `fraud screening: ${verdict === 'pass' ? 'passed' : verdict === 'hold' ? 'hold for review' : 'reject'}` +
        `${verdict === 'pass' ? '' : ` (${result.screen.reasons.map((r) => r.code).join(', ')})`}`,
      outcome: verdict === 'pass' ? 'ok' : verdict === 'hold' ? 'waiting' : 'failed',
      detail: { verdict, reasons: result.screen.reasons, action: result.offer.fraud.action ?? 'reject' },
    };
    return [...perRule, summary];
  },

  attributeConversion: ({ input, result }, base, ctx) => {
    if (!result) return [];
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
    const affiliate = ctx.received?.affiliateId ?? input?.click.affiliate_id;
    const offer = ctx.received?.offerId ?? input?.offer.id;
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
  },

  reserveCaps: ({ result }, base) => {
    if (!result) return [];
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
  },

  releaseCaps: ({ input, result }, base) => {
    const reservations = input?.reservations ?? result?.released ?? [];
    return [{ ...base, kind: 'cap', title: `released ${reservations.length} cap slot(s)`, outcome: 'info', detail: { reservations } }];
  },

  recordTransition: (step, base, ctx) => {
    const t = transitionOf(step);
    if (!t) return [];
    const lines = ctx.ledger.filter((l) => l.seq === t.seq && l.amount_minor !== 0);
    const codes = t.reasonCodes.length > 0 && t.reasonCodes.join() !== t.reason ? ` [${t.reasonCodes.join(', ')}]` : '';
    const change: EntryDraft = {
      ...base,
      kind: 'status_change',
      title: `${t.from} → ${t.to} by ${t.actor}${t.reason ? `: ${t.reason}` : ''}${codes}`,
      outcome: isFinal(t.to) ? 'failed' : 'ok',
      detail: { seq: t.seq, from: t.from, to: t.to, actor: t.actor, reason: t.reason, reason_codes: t.reasonCodes },
    };
    const booked: EntryDraft = {
      ...base,
      duration_ms: null,
      kind: 'ledger',
      title:
        lines.length === 0
          ? 'ledger: nothing to book for this change'
          : `ledger: ${lines.map((l) => `${l.account} ${signed(l.amount_minor, l.currency)}`).join(', ')}`,
      outcome: 'info',
      detail: { seq: t.seq, entries: lines },
    };
    return [change, booked];
  },

  loadConversionState: ({ name }, base) => [{ ...base, kind: 'step', title: `${name} done`, outcome: 'info', detail: {} }],

  planDeliveries: ({ input, result }, base, ctx) => {
    // The event is the status just entered (the input, when the step was a remote activity).
    const event = input?.event ?? ctx.status;
    const planned = result ?? [];
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
  },
};

const isConversionStep = (name: string): name is keyof ConversionSteps => Object.hasOwn(conversionStepViews, name);

function view<N extends keyof ConversionSteps>(name: N, step: ActivityStep, base: EntryBase, ctx: StepContext): EntryDraft[] {
  const typed = recorded(step, name);
  return typed ? conversionStepViews[name](typed, base, ctx) : [];
}

/** What one completed activity of a conversion workflow means for the conversion. */
export function activityEntries(step: ActivityStep, ctx: StepContext): EntryDraft[] {
  const at = new Date(step.startedAt ?? step.scheduledAt).toISOString();
  // A local activity's marker carries no trustworthy duration (its times come from different clocks).
  const duration_ms = !step.local && step.closedAt !== undefined ? step.closedAt - (step.startedAt ?? step.scheduledAt) : null;
  const base = { at, duration_ms, ...(step.attempt > 1 ? { attempt: step.attempt } : {}) };
  if (!isConversionStep(step.name)) return [{ ...base, kind: 'step', title: `${step.name} done`, outcome: 'info', detail: {} }];
  return view(step.name, step, base, ctx);
}
