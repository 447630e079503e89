import type { components, paths } from '../../api/schema';
import { fromLines, toLines } from './lines';

/**
 * An offer's MMP integration (README "MMP postbacks") as a form: the API's request shape, with
 * text where the API takes a number or a list (the window in hours, the allowlist one per line),
 * so a refusal's `issues[].path` (`events.0.goal`, `kind_goals.reinstall`, `ip_allowlist.1`)
 * names the field that holds it.
 */
export type MmpIntegration = components['schemas']['MmpIntegration'];
export type MmpCreated = components['schemas']['MmpIntegrationCreated'];
export type MmpCreateBody = paths['/api/offers/{id}/mmp']['post']['requestBody']['content']['application/json'];
export type MmpPatchBody = paths['/api/mmp/{id}']['patch']['requestBody']['content']['application/json'];
export type MmpVendor = MmpIntegration['vendor'];
export type MmpLogRow = components['schemas']['MmpEventLog']['data'][number];

export const vendorLabels: Record<MmpVendor, string> = {
  appsflyer: 'AppsFlyer',
  adjust: 'Adjust',
  branch: 'Branch',
  singular: 'Singular',
  kochava: 'Kochava',
};
export const vendors = Object.keys(vendorLabels) as MmpVendor[];

/** The vendors that publish the addresses their postbacks come from (Branch and Kochava publish none). */
export const publishesIpRanges = (vendor: MmpVendor) => vendor === 'appsflyer' || vendor === 'adjust' || vendor === 'singular';

/** What each vendor calls an event, for the mapping rows. */
export const eventHints: Record<MmpVendor, { placeholder: string; help: string }> = {
  appsflyer: { placeholder: 'af_purchase', help: 'The in-app event name as the app sends it to AppsFlyer.' },
  adjust: { placeholder: 'abc123', help: "Adjust's event token (Adjust dashboard, the app's events), not the event's name." },
  branch: { placeholder: 'PURCHASE', help: "Branch's event name (PURCHASE, ADD_TO_CART, or a custom event's name)." },
  singular: { placeholder: 'purchase', help: 'The event name as the app sends it to Singular.' },
  kochava: { placeholder: 'Purchase', help: 'The event name as the app sends it to Kochava; each mapped event gets its own postback.' },
};

/** An example of each vendor's link for the app (what `link_base` holds). */
export const linkBaseExamples: Record<MmpVendor, string> = {
  appsflyer: 'https://app.appsflyer.com/id123456789?pid=yournetwork_int',
  adjust: 'https://app.adjust.com/abc123',
  branch: 'https://yourapp.app.link/abc?%243p=a_yournetwork',
  singular: 'https://yourapp.sng.link/Abcde/fgh1?pcid=yournetwork',
  kochava: 'https://control.kochava.com/v1/cpi/click?campaign_id=ko123&network_id=456',
};

/** The kinds an integration may map to goals besides installs and events; unset, they are logged and never counted. */
export const kindGoalLabels = {
  reattribution: 'Reattributions',
  reinstall: 'Reinstalls',
  reengagement: 'Re-engagements',
} as const;
type KindGoal = keyof typeof kindGoalLabels;
export const kindGoalKeys = Object.keys(kindGoalLabels) as KindGoal[];

/** Why a postback made or changed no conversion (the log's `reason`), as ops read it. */
export const logReasons = {
  unmapped_event: 'an in-app event no goal is mapped to',
  out_of_window: 'an event later than the post-install window',
  unmapped_kind: 'a reattribution, reinstall or re-engagement with no goal set',
  no_click_id: "no postflow click id (an organic install or another network's)",
  unknown_click: 'a click id postflow does not know',
  other_offer: "a click of another offer (the vendor's link points at the wrong offer)",
  trafficback_click: 'a click that went to trafficback, never to this offer',
  nothing_to_reject: 'a rejection with no reattribution or re-engagement to reject',
  nothing_to_reverse: 'a fraud notice or updated attribution with no install to reverse',
} as const;
export type LogReason = keyof typeof logReasons;
export const isLogReason = (v: string | undefined): v is LogReason => v !== undefined && v in logReasons;

export interface MmpForm {
  vendor: MmpVendor;
  install_goal: string;
  events: { event: string; goal: string }[];
  /** '' for none. */
  kind_goals: Record<KindGoal, string>;
  post_install_window_hours: string;
  link_base: string;
  /** One address or range per line. */
  ip_allowlist: string;
  /** Create only. */
  vendor_ip_ranges: boolean;
  active: boolean;
}

export const newMmpForm = (installGoal: string): MmpForm => ({
  vendor: 'appsflyer',
  install_goal: installGoal,
  events: [],
  kind_goals: { reattribution: '', reinstall: '', reengagement: '' },
  post_install_window_hours: '',
  link_base: '',
  ip_allowlist: '',
  vendor_ip_ranges: false,
  active: true,
});

export const newEventMapping = () => ({ event: '', goal: '' });

/** The form for an integration as the API reads it (GET /api/mmp/:id). */
export function mmpToForm(i: MmpIntegration): MmpForm {
  return {
    vendor: i.vendor,
    install_goal: i.install_goal,
    events: i.events.map((e) => ({ event: e.event, goal: e.goal })),
    kind_goals: {
      reattribution: i.kind_goals.reattribution ?? '',
      reinstall: i.kind_goals.reinstall ?? '',
      reengagement: i.kind_goals.reengagement ?? '',
    },
    post_install_window_hours: i.post_install_window_hours === null ? '' : String(i.post_install_window_hours),
    link_base: i.link_base ?? '',
    ip_allowlist: toLines(i.ip_allowlist),
    vendor_ip_ranges: false,
    active: i.active,
  };
}

/** A number as typed: a number when it reads as one, else the text itself, for the API to name the field. */
function hours(value: string): number | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  return (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v) as number;
}

const kindGoals = (form: MmpForm) =>
  Object.fromEntries(kindGoalKeys.filter((k) => form.kind_goals[k] !== '').map((k) => [k, form.kind_goals[k]])) as NonNullable<
    MmpCreateBody['kind_goals']
  >;

/**
 * POST /api/offers/:id/mmp. Every row is sent as it is, a row with no goal too (the API names
 * `events.N.goal`), so the API's row numbers are the form's.
 */
export function formToMmpCreate(form: MmpForm): MmpCreateBody {
  const window = hours(form.post_install_window_hours);
  const allowlist = fromLines(form.ip_allowlist);
  return {
    vendor: form.vendor,
    ...(form.install_goal ? { install_goal: form.install_goal } : {}),
    events: form.events.map((e) => ({ event: e.event, goal: e.goal })),
    kind_goals: kindGoals(form),
    ...(window !== undefined ? { post_install_window_hours: window } : {}),
    ...(form.link_base.trim() ? { link_base: form.link_base.trim() } : {}),
    ...(allowlist.length > 0 ? { ip_allowlist: allowlist } : {}),
    ...(form.vendor_ip_ranges && publishesIpRanges(form.vendor) ? { vendor_ip_ranges: true } : {}),
  };
}

/**
 * PATCH /api/mmp/:id: only the fields changed since `saved` (the integration as read or last
 * saved). PATCH replaces a top-level field whole, so a changed mapping or kind goals go complete,
 * and an emptied window or link goes as null.
 */
export function formToMmpPatch(form: MmpForm, saved: MmpForm): MmpPatchBody {
  const all: Required<MmpPatchBody> = {
    install_goal: form.install_goal,
    events: form.events.map((e) => ({ event: e.event, goal: e.goal })),
    kind_goals: kindGoals(form),
    post_install_window_hours: hours(form.post_install_window_hours) ?? null,
    link_base: form.link_base.trim() || null,
    ip_allowlist: fromLines(form.ip_allowlist),
    active: form.active,
  };
  const changed = (Object.keys(all) as (keyof MmpPatchBody)[]).filter((k) => JSON.stringify(form[k]) !== JSON.stringify(saved[k]));
  return Object.fromEntries(changed.map((k) => [k, all[k]])) as MmpPatchBody;
}

/** The token's place in templates read after creation: as is, URL-encoded in a postback URL, and twice in Adjust's link. */
const PLACEHOLDER = '<integration token>';
const placeholderForms = [encodeURIComponent(encodeURIComponent(PLACEHOLDER)), encodeURIComponent(PLACEHOLDER), PLACEHOLDER] as const;

export const hasTokenPlaceholder = (text: string) => placeholderForms.some((p) => text.includes(p));

/** A template read after creation with the token put back, encoded as deep as the placeholder was. */
export function withToken(text: string, token: string): string {
  const [twice, once, raw] = placeholderForms;
  return text
    .split(twice)
    .join(encodeURIComponent(encodeURIComponent(token)))
    .split(once)
    .join(encodeURIComponent(token))
    .split(raw)
    .join(token);
}

/**
 * The integration's token as an offer URL saved from an Adjust tracking link carries it (inside
 * its URL-encoded callbacks), when it is this integration's (its first characters are
 * `tokenPrefix`); undefined otherwise.
 */
export function tokenInOfferUrl(offerUrl: string, vendor: MmpVendor, tokenPrefix: string): string | undefined {
  let text = offerUrl;
  for (let i = 0; i < 3; i++) {
    for (const m of text.matchAll(/\/postback\/mmp\/([a-z]+)\?token=([A-Za-z0-9_-]+)/g))
      if (m[1] === vendor && m[2]!.startsWith(tokenPrefix)) return m[2];
    try {
      text = decodeURIComponent(text);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
