import type { PartnerRealm, Principal } from './principal';

/**
 * What a partner never sees, whatever the route: an affiliate sees its payout but not the
 * advertiser's revenue, the network's margin or who the advertiser is; an advertiser sees what
 * it pays (revenue) but not what the affiliate earns. Applied to every JSON answer a partner gets
 * (api/route.ts), and by the routes that stream (the live tail, CSV export) to each row.
 */
export const hiddenFields: Record<PartnerRealm, ReadonlySet<string>> = {
  affiliate: new Set(['revenue', 'revenue_minor', 'margin', 'margin_minor', 'advertiser_id', 'ip']),
  advertiser: new Set(['payout', 'payout_minor', 'margin', 'margin_minor', 'epc', 'signing_secret']),
};

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

function strip(value: unknown, hidden: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => strip(v, hidden));
  if (!isPlain(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !hidden.has(k))
      .map(([k, v]) => [k, strip(v, hidden)]),
  );
}

/** `body` as the principal may see it (unchanged for staff). Only plain JSON values are walked. */
export function projectFor<T>(principal: Principal, body: T): T {
  if (principal.realm !== 'affiliate' && principal.realm !== 'advertiser') return body;
  return strip(body, hiddenFields[principal.realm]) as T;
}

/** Whether a column or field may be shown to the principal (for streamed answers: CSV columns). */
export const visibleTo = (principal: Principal, field: string): boolean =>
  (principal.realm !== 'affiliate' && principal.realm !== 'advertiser') || !hiddenFields[principal.realm].has(field);
