/**
 * Mobile measurement partners (MMPs), as pure code: what each vendor's postback means once it
 * reaches /postback/mmp/:vendor. The templates postflow generates (domain/mmp/templates.ts) put the
 * vendor's own macros under postflow's parameter names (`click_id`, `kind`, `event`, …), so one
 * reading serves every vendor; what differs is how a vendor says what kind of event it is, and
 * which of its fields identify one event (docs/mmp-vendor-reference.md has the sources).
 */

export const mmpVendors = ['appsflyer', 'adjust', 'branch', 'singular', 'kochava'] as const;
export type MmpVendor = (typeof mmpVendors)[number];

/**
 * What an MMP postback reports. Installs and in-app events become conversions; reattribution,
 * reinstall and re-engagement only when the integration maps them to a goal (never as installs);
 * rejections, post-attribution fraud and Adjust's updated attribution change the install's status.
 */
export const mmpKinds = [
  'install',
  'event',
  'reattribution',
  'reinstall',
  'reengagement',
  'rejected_install',
  'rejected_reattribution',
  'fraud',
  'updated_attribution',
] as const;
export type MmpKind = (typeof mmpKinds)[number];

/** A vendor postback in postflow's terms. Absent fields were not sent (or sent empty, or as an unfilled macro). */
export interface MmpEvent {
  vendor: MmpVendor;
  kind: MmpKind;
  clickId?: string;
  /** The event's name, or Adjust's permanent event token. */
  event?: string;
  revenue?: string;
  currency?: string;
  /** As the vendor sent it (part of the event identity); `eventAt` is its reading. */
  eventTime?: string;
  eventAt?: Date;
  deviceId?: string;
  /** The vendor's own id of the event (Branch). */
  eventId?: string;
  /** A rejection's reason code, as the vendor names it, and its value (AppsFlyer's reject_reason_value). */
  reason?: string;
  reasonValue?: string;
}

/** postflow's parameter names on /postback/mmp/:vendor (the generated templates fill them with the vendor's macros). */
export const mmpParams = [
  'click_id',
  'kind',
  'event',
  'revenue',
  'currency',
  'event_time',
  'device_id',
  'event_id',
  'reason',
  'reason_value',
  'is_rejected',
  'is_reengagement',
] as const;

/**
 * A vendor leaves a macro it cannot fill empty, or (some, for some macros) as written: neither is
 * a value. `{event_revenue}`, `${(id)!}` and `(idfa)` all read as absent.
 */
export function macroValue(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim();
  if (value === '' || /^\{[A-Za-z_][\w?. -]*\}$/.test(value) || /^\$\{.*\}$/.test(value) || /^\([a-z0-9_-]+\)$/i.test(value))
    return undefined;
  return value;
}

const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes'].includes(v.toLowerCase());

/** Adjust's {activity_kind} values (spaces or underscores) → kinds. `session` and the like stay unknown. */
const adjustActivityKinds: Record<string, MmpKind> = {
  install: 'install',
  rejected_install: 'rejected_install',
  reattribution: 'reattribution',
  rejected_reattribution: 'rejected_reattribution',
  reinstall: 'reinstall',
  reattribution_reinstall: 'reattribution',
  updated_attribution: 'updated_attribution',
  install_update: 'updated_attribution',
  reattribution_update: 'updated_attribution',
  event: 'event',
  in_app_event: 'event',
};

/** Branch's event names that are lifecycle steps, not in-app events. */
const branchLifecycleNames: Record<string, MmpKind> = { install: 'install', reinstall: 'reinstall' };

export type KindReading = { ok: true; kind: MmpKind } | { ok: false; message: string };

/** The kind, by the vendor's own signal where it has one, else the template's `kind`. */
export function readKind(vendor: MmpVendor, params: Partial<Record<(typeof mmpParams)[number], string>>): KindReading {
  const stated = params.kind?.toLowerCase().replace(/[\s-]+/g, '_');
  let kind: MmpKind | undefined;
  if (vendor === 'adjust') {
    // The template passes {activity_kind}: one callback URL can serve installs, rejections and reattributions.
    if (stated !== undefined) {
      kind = adjustActivityKinds[stated] ?? ((mmpKinds as readonly string[]).includes(stated) ? (stated as MmpKind) : undefined);
      if (kind === undefined) return { ok: false, message: `kind: Adjust activity "${params.kind}" is not one postflow counts` };
    }
  } else if (stated !== undefined) {
    if (!(mmpKinds as readonly string[]).includes(stated)) return { ok: false, message: `kind: must be one of ${mmpKinds.join(', ')}` };
    kind = stated as MmpKind;
  }
  if (vendor === 'branch' && (kind === undefined || kind === 'event')) {
    const lifecycle = params.event ? branchLifecycleNames[params.event.toLowerCase()] : undefined;
    if (lifecycle) kind = lifecycle;
  }
  if (vendor === 'kochava' && (kind === undefined || kind === 'event') && params.event === '_install') kind = 'install';
  if (kind === undefined) return { ok: false, message: 'kind: missing; the generated templates send it' };
  // AppsFlyer sends rejections to the install (or re-attribution) postback with is_rejected=1.
  if (truthy(params.is_rejected)) {
    if (kind === 'install') kind = 'rejected_install';
    else if (kind === 'reattribution' || kind === 'reengagement') kind = 'rejected_reattribution';
  }
  // Singular says re-engagement with {IS_RE_ENG} on its one attribution postback.
  if (truthy(params.is_reengagement) && kind === 'install') kind = 'reengagement';
  return { ok: true, kind };
}

/**
 * Event times arrive as unix seconds (AppsFlyer, Adjust), unix milliseconds (Branch), or ISO 8601
 * / "YYYY-MM-DD HH:MM:SS" in UTC (AppsFlyer's event_time, Kochava). Undefined when unreadable.
 */
export function readEventTime(raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  if (/^\d{9,13}(\.\d+)?$/.test(raw)) {
    const n = Number(raw);
    return new Date(n >= 1e12 ? n : n * 1000);
  }
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(raw) ? `${raw.replace(' ', 'T')}Z` : raw;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** The kinds that are about the install itself: a rejection is the same attribution as the install it rejects. */
export const installKinds: ReadonlySet<MmpKind> = new Set(['install', 'rejected_install']);

/**
 * The fields that identify one vendor event, so that a retry of it is the same event and two events
 * in the same second are not. Never the time alone. An install is one per device (a rejection of
 * it has the same identity); an event is the device, the event and its time, or the vendor's event
 * id where there is one (Branch).
 */
export function identityFields(event: MmpEvent): { fields: Record<string, string | undefined>; required: string[] } {
  if (event.vendor === 'branch' && !installKinds.has(event.kind)) return { fields: { event_id: event.eventId }, required: ['event_id'] };
  if (installKinds.has(event.kind)) return { fields: { device_id: event.deviceId }, required: ['device_id'] };
  if (event.kind === 'event')
    return {
      fields: { device_id: event.deviceId, event: event.event, event_time: event.eventTime },
      required: ['device_id', 'event', 'event_time'],
    };
  return { fields: { device_id: event.deviceId, kind: event.kind, event_time: event.eventTime }, required: ['device_id', 'event_time'] };
}
