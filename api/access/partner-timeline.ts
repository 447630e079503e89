import { fromMinor } from '../../domain/money';
import type { Timeline } from '../timeline/load';
import type { TimelineEntry } from '../timeline/types';
import type { PartnerRealm } from './principal';
import { projectFor } from './projection';
import { codesAt, type ReasonDetail } from './reason-detail';

/**
 * A conversion's timeline as a partner sees it. The staff timeline is written for ops: its titles
 * spell out revenue next to payout, cap counters, fraud rules and worker retries, and its details
 * hold activity results verbatim (camelCase money fields a key-based projection would miss). So a
 * partner's is rebuilt from an allow-list: the kinds it may see, each with a title and detail made
 * only of what that realm may read. An advertiser sees no affiliate delivery; an affiliate sees its
 * own deliveries, and reason codes at the offer's detail level.
 */
type Realm = PartnerRealm;
type Entry = TimelineEntry;
type Rewrite = (entry: Entry, realm: Realm, level: ReasonDetail) => Entry | undefined;

const money = (minor: unknown, currency: unknown): string =>
  typeof minor === 'number' && typeof currency === 'string' ? `${fromMinor(minor, currency)} ${currency}` : '';
const verdictTitle = (verdict: unknown) => (verdict === 'pass' ? 'passed' : verdict === 'hold' ? 'hold for review' : 'reject');
const list = (codes: string[]) => (codes.length > 0 ? ` [${codes.join(', ')}]` : '');
const codesOf = (detail: Record<string, unknown>, key: string): string[] =>
  Array.isArray(detail[key])
    ? (detail[key] as unknown[]).map((c) => (typeof c === 'object' && c ? String((c as { code?: unknown }).code) : String(c)))
    : [];

const rewrites: Record<string, Rewrite> = {
  received: (e) => ({ ...e, title: 'conversion received', detail: {} }),
  // The rule-by-rule checks name the offer's thresholds: only at full detail.
  fraud_check: (e, _realm, level) => (level === 'full' ? e : undefined),
  fraud_verdict: (e, _realm, level) => {
    const codes = codesAt(level, codesOf(e.detail, 'reasons'));
    return {
      ...e,
      title: `fraud screening: ${verdictTitle(e.detail.verdict)}${list(codes)}`,
      detail: { verdict: e.detail.verdict, reason_codes: codes },
    };
  },
  attribution: (e, realm, level) => {
    const d = e.detail;
    if (d.ok === false || typeof d.reason === 'string') {
      const codes = codesAt(level, typeof d.reason === 'string' ? [d.reason] : []);
      return { ...e, title: `attribution failed${list(codes)}`, detail: { reason_codes: codes } };
    }
    const [field, minor] = realm === 'affiliate' ? ['payout', d.payoutMinor] : ['revenue', d.revenueMinor];
    return { ...e, title: `attributed: ${field} ${money(minor, d.currency)}`, detail: { [field]: money(minor, d.currency) } };
  },
  cap: (e, _realm, level) =>
    e.outcome === 'failed' ? { ...e, title: `cap reached${list(codesAt(level, ['cap_reached']))}`, detail: {} } : undefined,
  status_change: (e, realm, level) => {
    const d = e.detail;
    const codes = realm === 'affiliate' ? codesAt(level, codesOf(d, 'reason_codes')) : codesOf(d, 'reason_codes');
    return {
      ...e,
      title: `${String(d.from)} → ${String(d.to)} by ${String(d.actor)}${list(codes)}`,
      detail: { from: d.from, to: d.to, actor: d.actor, reason_codes: codes },
    };
  },
  // Each side's own account only: the affiliate's payable, the advertiser's receivable.
  ledger: (e, realm) => {
    const account = realm === 'affiliate' ? 'affiliate_payable' : 'advertiser_receivable';
    const lines = (Array.isArray(e.detail.entries) ? (e.detail.entries as Record<string, unknown>[]) : []).filter(
      (l) => l.account === account,
    );
    if (lines.length === 0) return undefined;
    const shown = lines.map((l) => ({ account, amount: money(l.amount_minor, l.currency) }));
    return { ...e, title: `ledger: ${shown.map((l) => `${l.account} ${l.amount}`).join(', ')}`, detail: { entries: shown } };
  },
  wait: (e) => ({ ...e, detail: {} }),
  delivery_planned: (e, realm) => (realm === 'affiliate' ? e : undefined),
  delivery_started: (e, realm) => (realm === 'affiliate' ? e : undefined),
  delivery_attempt: (e, realm) => (realm === 'affiliate' ? e : undefined),
  delivery_wait: (e, realm) => (realm === 'affiliate' ? e : undefined),
  delivery_result: (e, realm) => (realm === 'affiliate' ? e : undefined),
};

/** The timeline a partner may read; `level` is the conversion's offer's reason detail (affiliates only). */
export function partnerTimeline(timeline: Timeline, realm: Realm, level: ReasonDetail): Timeline {
  const entries = timeline.entries.flatMap((entry) => {
    const rewrite = rewrites[entry.kind];
    const shown = rewrite?.(entry, realm, realm === 'affiliate' ? level : 'full');
    return shown ? [shown] : [];
  });
  const projected = projectFor({ realm, name: realm, read_only: true, capabilities: [], via: 'session' }, { ...timeline, entries });
  return { ...projected, temporal_ui_url: null };
}
