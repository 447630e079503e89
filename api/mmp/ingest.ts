import { createHash } from 'node:crypto';
import type { LifecycleStatus } from '../../domain/status';
import { identityFields, installKinds, type MmpEvent } from '../../domain/mmp/vendors';
import type { Goal } from '../../domain/offer';
import { newTimeOrderedId } from '../../models/ids';
import { acceptConversion, type AcceptDeps } from '../accept-conversion';
import { ApiError } from '../errors';
import { requestStatusChange } from '../status-change';

/** The integration as stored (models/mmp-integration.ts). */
export interface StoredIntegration {
  _id: string;
  offer_id: string;
  vendor: MmpEvent['vendor'];
  install_goal?: string;
  events: { event: string; goal: string }[];
  kind_goals: { reattribution?: string; reinstall?: string; reengagement?: string };
  post_install_window_hours?: number | null;
}

export type MmpResult =
  { result: 'accepted' | 'duplicate' | 'status_update'; conversion_id: string; status?: string } | { result: 'logged'; reason: string };

/** How long a logged call is kept. */
const LOG_DAYS = 90;
/** A status change waits this long for a conversion still being decided (an install a moment old). */
const DECIDED_WITHIN_MS = 10_000;

/**
 * One MMP postback, after its integration and vendor reading: a new conversion (install, mapped
 * event, mapped reattribution), a status change of the install (rejection, fraud, updated
 * attribution), or a row in the integration's log with the reason. Never silently nothing.
 */
export async function ingestMmp(
  deps: AcceptDeps,
  integration: StoredIntegration,
  event: MmpEvent,
  call: { raw: Record<string, unknown>; ip: string },
): Promise<MmpResult> {
  const log = async (reason: string, detail: string): Promise<MmpResult> => {
    const now = deps.now();
    await deps.models.MmpEventLog.create({
      _id: newTimeOrderedId('mel'),
      integration_id: integration._id,
      offer_id: integration.offer_id,
      vendor: integration.vendor,
      reason,
      detail,
      ...(event.kind ? { kind: event.kind } : {}),
      ...(event.event ? { event: event.event } : {}),
      ...(event.clickId ? { click_id: event.clickId } : {}),
      raw: call.raw,
      received_at: now,
      expires_at: new Date(now.getTime() + LOG_DAYS * 86_400_000),
    });
    return { result: 'logged', reason };
  };

  // The vendors send postbacks for conversions the network did not drive too: no click of ours, no conversion.
  if (!event.clickId) return log('no_click_id', 'the postback carries no postflow click id (an organic or another network’s conversion)');
  const click = await deps.models.Click.findById(event.clickId).lean<{
    _id: string;
    offer_id: string;
    affiliate_id: string;
    advertiser_id?: string;
    created_at: Date;
    trafficback?: unknown;
    test?: boolean;
  }>();
  if (!click) return log('unknown_click', `no click with id "${event.clickId}"`);
  if (click.trafficback || !click.advertiser_id) return log('trafficback_click', `click "${click._id}" was not sent to the offer`);
  if (click.offer_id !== integration.offer_id)
    return log('other_offer', `click "${click._id}" is for offer ${click.offer_id}, not this integration's ${integration.offer_id}`);
  const offer = await deps.models.Offer.findById(click.offer_id, { default_goal: 1, goals: 1, currency: 1 }).lean<{
    default_goal: string;
    goals: Goal[];
    currency: string;
  }>();
  if (!offer) return log('unknown_click', `the offer of click "${click._id}" is gone`);
  const clickRef = { ...click, advertiser_id: click.advertiser_id };
  const installGoal = integration.install_goal ?? offer.default_goal;

  const { fields, required } = identityFields(event);
  const missing = required.filter((f) => fields[f] === undefined);
  if (missing.length > 0)
    throw new ApiError(
      400,
      'invalid_request',
      `${missing.join(', ')}: required to tell one ${event.kind} from another (check the postback template)`,
      [
        ...missing.map((path) => ({
          path,
          code: 'missing_identity',
          message: `the ${integration.vendor} postback template must send ${path}`,
        })),
      ],
    );
  // The vendor's event identity, never the time alone: a retry is the same conversion, another event is not.
  const txid = `mmp_${integration.vendor}_${createHash('sha256')
    .update(JSON.stringify([integration.vendor, installKinds.has(event.kind) ? 'install' : event.kind, fields]))
    .digest('hex')
    .slice(0, 40)}`;

  const accept = async (
    goal: string,
    extra: { status?: 'declined'; decline?: { code: string; detail: string } } = {},
  ): Promise<MmpResult> => {
    // Apps report revenue in the user's currency. A fixed payout does not need it, so revenue in
    // another currency than the offer's is left out rather than rejecting the conversion; a percent
    // goal keeps it, and is rejected currency_mismatch (nothing converts currencies here).
    const rule = offer.goals.find((g) => g.key === goal);
    const percent = rule?.payout.type === 'percent' || rule?.revenue.type === 'percent';
    const foreign = event.currency !== undefined && event.currency !== offer.currency;
    const sale = foreign && !percent ? {} : { amount: event.revenue, currency: event.currency };
    const accepted = await acceptConversion(deps, clickRef, offer, {
      goal,
      txid,
      ...(sale.amount !== undefined ? { amount: sale.amount } : {}),
      ...(sale.currency !== undefined ? { currency: sale.currency } : {}),
      ...extra,
      ip: call.ip,
    });
    // A status on a known conversion is a change the caller applies; ours only ever asks to decline.
    if (accepted.result === 'status_update') return changeStatus(accepted.conversionId, 'mmp_rejected', extra.decline?.detail ?? '');
    return { result: accepted.result, conversion_id: accepted.conversionId };
  };

  /** Declines (pending, held) or reverses (approved) a conversion; a final one stays as it is. */
  const changeStatus = async (conversionId: string, code: string, detail: string): Promise<MmpResult> => {
    const status = await decidedStatus(deps, conversionId);
    const to: LifecycleStatus | null = status === 'approved' ? 'reversed' : status === 'pending' || status === 'held' ? 'declined' : null;
    if (to === null) return { result: 'duplicate', conversion_id: conversionId, status };
    const result = await requestStatusChange(deps.temporal, deps.taskQueue, conversionId, {
      status: to,
      reason: code,
      detail,
      actor: 'advertiser',
    });
    return { result: result.changed ? 'status_update' : 'duplicate', conversion_id: conversionId, status: result.conversion.status };
  };

  const onClick = (goal: string) =>
    deps.models.Conversion.findOne({ click_id: click._id, goal }, { _id: 1, received_at: 1 })
      .sort({ received_at: 1 })
      .lean<{ _id: string; received_at: Date }>();
  const vendorReason = `${integration.vendor}: ${event.reason ?? 'rejected'}${event.reasonValue ? ` (${event.reasonValue})` : ''}`;

  switch (event.kind) {
    case 'install':
      return accept(installGoal);
    case 'event': {
      const mapping = integration.events.find((m) => m.event === event.event);
      if (!mapping) return log('unmapped_event', `no goal is mapped to the ${integration.vendor} event "${event.event ?? ''}"`);
      const window = integration.post_install_window_hours;
      if (window) {
        const install = await onClick(installGoal);
        const installedAt = install?.received_at ?? click.created_at;
        const at = event.eventAt ?? deps.now();
        if (at.getTime() - installedAt.getTime() > window * 3_600_000)
          return log('out_of_window', `the event came ${hoursBetween(installedAt, at)} h after the install; the window is ${window} h`);
      }
      return accept(mapping.goal);
    }
    case 'reattribution':
    case 'reinstall':
    case 'reengagement': {
      const goal = integration.kind_goals[event.kind];
      if (!goal) return log('unmapped_kind', `no goal is set for ${event.kind}s (kind_goals.${event.kind}); never counted as an install`);
      return accept(goal);
    }
    case 'rejected_install': {
      const install = await onClick(installGoal);
      if (install) return changeStatus(install._id, 'mmp_rejected', vendorReason);
      // The rejection came first: the install is a conversion that starts rejected, with no payout; a
      // later install postback for it has the same identity and is a duplicate.
      return accept(installGoal, { status: 'declined', decline: { code: 'mmp_rejected', detail: vendorReason } });
    }
    case 'rejected_reattribution': {
      const goals = [integration.kind_goals.reattribution, integration.kind_goals.reengagement].filter((g): g is string => Boolean(g));
      for (const goal of goals) {
        const target = await onClick(goal);
        if (target) return changeStatus(target._id, 'mmp_rejected', vendorReason);
      }
      return log('nothing_to_reject', 'no reattribution or re-engagement conversion on this click');
    }
    case 'fraud':
    case 'updated_attribution': {
      const install = await onClick(installGoal);
      if (!install) return log('nothing_to_reverse', `no install conversion on click "${click._id}"`);
      const code = event.kind === 'fraud' ? 'mmp_post_attribution_fraud' : 'mmp_attribution_updated';
      const detail =
        event.kind === 'fraud'
          ? `${integration.vendor}: fraud found after attribution${event.reason ? ` (${event.reason})` : ''}`
          : `${integration.vendor}: the install was attributed to another source`;
      return changeStatus(install._id, code, detail);
    }
  }
}

const hoursBetween = (a: Date, b: Date) => Math.round(((b.getTime() - a.getTime()) / 3_600_000) * 10) / 10;

/** The conversion's status once its first decision is made (an install a moment old may still be processing). */
async function decidedStatus(deps: AcceptDeps, conversionId: string): Promise<LifecycleStatus | undefined> {
  const deadline = Date.now() + DECIDED_WITHIN_MS;
  for (;;) {
    const doc = await deps.models.Conversion.findById(conversionId, { status: 1 }).lean<{ status: LifecycleStatus }>();
    if (doc && doc.status !== 'processing') return doc.status;
    if (Date.now() > deadline)
      throw new ApiError(
        503,
        'conversion_processing',
        `conversion ${conversionId} is still being decided; send the postback again shortly`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
