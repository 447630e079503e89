import { allHandlersFinished, ApplicationFailure, condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { databaseSteps, patchedBefore } from './activity-profiles';
import type { ConversionInput, ConversionView, StatusChange } from '../domain/conversion';
import { checkTransition, isFinal, type LifecycleStatus } from '../domain/status';
import type { CapOutcome, CapReservation } from '../domain/steps';
import { searchAttributes } from '../temporal/search-attributes';
import { conversionQuery, ILLEGAL_TRANSITION, setStatusUpdate } from './contract';
import { applyTransition } from './transition';

const HOUR_MS = 60 * 60 * 1000;

/**
 * One workflow per conversion: screen → attribute → reserve caps → book, then stay open for
 * status changes until the conversion is final (or, once approved, until the reversal window
 * has passed). Its id is derived from the dedupe key (conversionWorkflowId).
 */
export async function processConversion(input: ConversionInput): Promise<ConversionView> {
  const view: ConversionView = {
    conversionId: input.conversionId,
    status: 'processing',
    reasonCodes: [],
    payoutMinor: 0,
    revenueMinor: 0,
    currency: input.currency ?? '',
    seq: 0,
  };
  let reservations: CapReservation[] = [];
  // One status change at a time. `busy` is re-checked after every wake-up and set in the same
  // synchronous step, so two updates released together cannot both pass (a plain
  // `await condition(() => !busy)` lets every waiter through at once).
  let busy = true; // the first decision runs before any status change is applied
  const lock = async () => {
    while (busy) await condition(() => !busy);
    busy = true;
  };

  const parties = {
    affiliateId: input.affiliateId,
    advertiserId: input.advertiserId,
    offerId: input.offerId,
    ...(input.test ? { test: true } : {}),
  };
  const transition = async (to: LifecycleStatus, reasonCodes: string[], actor: string, reason?: string) => {
    const applied = await applyTransition(
      { view, parties, reservations },
      { to, reasonCodes, actor, reason },
      {
        onRecorded: (next) => {
          // The query answers with the new status while caps and deliveries are still being done.
          Object.assign(view, { status: next.status, reasonCodes: next.reasonCodes, seq: next.seq });
          upsertSearchAttributes([{ key: searchAttributes.status, value: to }]);
        },
        // Histories recorded before deliveries existed replay without this step.
        notify: () => patchedBefore('notify-affiliates-v1'),
      },
    );
    reservations = applied.reservations;
  };

  setHandler(conversionQuery, () => view);
  setHandler(
    setStatusUpdate,
    async (change: StatusChange) => {
      await lock();
      try {
        // Checked again under the lock: an update applied meanwhile may have changed the status.
        if (change.status === view.status) return { changed: false, conversion: view };
        const check = checkTransition(view.status, change.status);
        if (!check.ok) throw ApplicationFailure.nonRetryable(check.reason, ILLEGAL_TRANSITION);
        await transition(change.status, change.reason ? [change.reason] : [], change.actor, change.detail ?? change.reason);
        return { changed: true, conversion: view };
      } finally {
        busy = false;
      }
    },
    {
      validator: (change: StatusChange) => {
        // While the first decision runs, any target may become legal; the handler re-checks.
        if (view.status === 'processing' || change.status === view.status) return;
        const check = checkTransition(view.status, change.status);
        if (!check.ok) throw ApplicationFailure.nonRetryable(check.reason, ILLEGAL_TRANSITION);
      },
    },
  );

  const decision = await decide(input, view, (r) => (reservations = r));
  await transition(decision.status, decision.reasonCodes, 'system', decision.detail);
  busy = false;

  // Lifecycle: wait for changes; a hold period auto-approves; an approved conversion stays
  // reversible for the reversal window, then the workflow closes (README: "Status lifecycle").
  while (!isFinal(view.status)) {
    const seq = view.seq;
    const changed = () => view.seq !== seq && !busy;
    if (view.status === 'held' && decision.holdHours !== undefined && view.reasonCodes.includes('hold_period')) {
      if (!(await condition(changed, decision.holdHours * HOUR_MS))) {
        await lock();
        try {
          if (view.seq === seq) await transition('approved', [], 'system', 'hold period elapsed');
        } finally {
          busy = false;
        }
      }
    } else if (view.status === 'approved') {
      if (!(await condition(changed, input.reversalWindowHours * HOUR_MS))) break;
    } else {
      await condition(changed);
    }
  }
  // Never close with an update half-applied: its caller would get an error, not an answer.
  await condition(() => !busy && allHandlersFinished());
  return view;
}

interface Decision {
  status: LifecycleStatus;
  reasonCodes: string[];
  detail?: string;
  holdHours?: number;
}

/** Screen, attribute and reserve: the conversion's first status and why. */
async function decide(input: ConversionInput, view: ConversionView, keep: (r: CapReservation[]) => void): Promise<Decision> {
  const { screen, offer, click, duplicateOf } = await databaseSteps().screenConversion(input);
  if (duplicateOf)
    return {
      status: 'rejected',
      reasonCodes: ['duplicate_conversion'],
      detail: `conversion ${duplicateOf} already counts this click and goal`,
    };
  const fraudCodes = screen.reasons.map((r) => r.code);
  if (screen.verdict === 'reject')
    return { status: 'rejected', reasonCodes: fraudCodes, detail: screen.reasons.map((r) => r.detail).join('; ') };
  if (input.status === 'declined' || input.status === 'reversed') {
    return {
      status: 'rejected',
      reasonCodes: [input.decline?.code ?? 'advertiser_declined'],
      detail: input.decline?.detail ?? `the first postback said ${input.status}`,
    };
  }

  const attribution = await databaseSteps().attributeConversion({
    conversionId: input.conversionId,
    offer,
    click,
    goal: input.goal,
    amount: input.amount,
    currency: input.currency,
  });
  if (!attribution.ok) return { status: 'rejected', reasonCodes: [attribution.reason], detail: attribution.detail };
  view.payoutMinor = attribution.payoutMinor;
  view.revenueMinor = attribution.revenueMinor;
  view.currency = attribution.currency;

  // A test conversion takes no cap place and is never refused for one: a test must not use up
  // (or be stopped by) what real traffic is limited to. Real histories have no `test`: same steps.
  const caps: CapOutcome = input.test
    ? { ok: true, reservations: [] }
    : await databaseSteps().reserveCaps({
        conversionId: input.conversionId,
        offer,
        goal: input.goal,
        affiliateId: input.affiliateId,
        payoutMinor: attribution.payoutMinor,
        at: input.receivedAt,
      });
  if (!caps.ok)
    return {
      status: caps.onExceed === 'hold' ? 'held' : 'rejected',
      reasonCodes: ['cap_reached'],
      detail: caps.detail,
    };
  keep(caps.reservations);

  if (screen.verdict === 'hold') return { status: 'held', reasonCodes: fraudCodes, detail: screen.reasons.map((r) => r.detail).join('; ') };
  const goal = offer.goals.find((g) => g.key === input.goal)!;
  const wanted = input.status ?? goal.default_status;
  if (wanted === 'approved' && goal.hold_hours !== undefined) {
    return {
      status: 'held',
      reasonCodes: ['hold_period'],
      detail: `approves after ${goal.hold_hours} h unless declined`,
      holdHours: goal.hold_hours,
    };
  }
  return { status: wanted, reasonCodes: [] };
}
