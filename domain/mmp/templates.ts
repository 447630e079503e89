import type { MmpKind, MmpVendor } from './vendors';

/**
 * Ready-to-paste templates for one MMP integration (docs/mmp-vendor-reference.md has the macro
 * sources): the tracking link to save as the offer's URL (the vendor's link for the app, with
 * postflow's `{click_id}` where the vendor reads the network's click id) and the postback or
 * callback URLs the vendor calls, each binding the vendor's macros to postflow's parameters.
 *
 * The integration's token is part of every postback URL; it is shown once, so templates read later
 * carry TOKEN_PLACEHOLDER instead.
 */

export const TOKEN_PLACEHOLDER = '<integration token>';

export interface TemplateInput {
  vendor: MmpVendor;
  /** Where the vendor reaches postflow, e.g. https://track.example.com. */
  origin: string;
  token: string;
  /** The vendor's link for the app (everything before postflow's parameters); a placeholder when unset. */
  linkBase?: string;
  /** The vendor events the integration maps (Adjust: event tokens, one event_callback_<token> each). */
  events?: string[];
}

export interface PostbackTemplate {
  /** What the vendor sends it for. */
  for: string;
  /** The kinds it reports (what postflow reads it as). */
  kinds: MmpKind[];
  url: string;
}

export interface Templates {
  tracking_link: string;
  postbacks: PostbackTemplate[];
  /** Where the template goes on the vendor's side, and what to check. */
  instructions: string;
}

type Params = [name: string, value: string][];

/** postflow's parameters bound to vendor macros. Macros are written as-is (never encoded): the vendor replaces them. */
function postbackUrl(input: TemplateInput, params: Params): string {
  const query = params.map(([k, v]) => `${k}=${v}`).join('&');
  return `${input.origin}/postback/mmp/${input.vendor}?token=${encodeURIComponent(input.token)}&${query}`;
}

const linkBase = (input: TemplateInput, placeholder: string) => input.linkBase ?? placeholder;
const joinQuery = (base: string, query: string) => `${base}${base.includes('?') ? '&' : '?'}${query}`;

function appsflyer(input: TemplateInput): Templates {
  const common: Params = [
    ['click_id', '{clickid}'],
    ['device_id', '{appsflyer_id}'],
    ['is_rejected', '{is_rejected}'],
    ['reason', '{reject_reason}'],
    ['reason_value', '{reject_reason_value}'],
  ];
  const event: Params = [
    ['event', '{event_name}'],
    ['revenue', '{event_revenue}'],
    ['currency', '{event_revenue_currency}'],
    ['event_time', '{event_time}'],
  ];
  return {
    tracking_link: joinQuery(
      linkBase(input, 'https://app.appsflyer.com/<app id>?pid=<your media source>_int'),
      'clickid={click_id}&af_siteid={aff_id}&af_sub1={sub1}',
    ),
    postbacks: [
      {
        for: 'installs (and their rejections)',
        kinds: ['install', 'rejected_install'],
        url: postbackUrl(input, [['kind', 'install'], ...common, ['event_time', '{install_unix_ts}']]),
      },
      { for: 'in-app events', kinds: ['event'], url: postbackUrl(input, [['kind', 'event'], ...common, ...event]) },
      {
        for: 're-engagements',
        kinds: ['reengagement', 'rejected_reattribution'],
        url: postbackUrl(input, [['kind', 'reengagement'], ...common, ['event_time', '{event_time}']]),
      },
      {
        for: 're-attributions',
        kinds: ['reattribution', 'rejected_reattribution'],
        url: postbackUrl(input, [['kind', 'reattribution'], ...common, ['event_time', '{event_time}']]),
      },
    ],
    instructions:
      "AppsFlyer maps a network's postback once for all its apps: give these to your AppsFlyer partner manager (or the partner " +
      'self-serve tool), with rejected-install postbacks sent to the install URL. AppsFlyer sends no postback for fraud found after ' +
      'attribution: post those from the Protect360 report with kind=fraud. Ask for retries on 5xx to be enabled.',
  };
}

function adjust(input: TemplateInput): Templates {
  // Adjust passes no click id back: the network writes it into each callback URL at click time.
  // postflow's click route fills {click_id} in the offer URL; Adjust fills the rest.
  const common: Params = [
    ['click_id', '{click_id}'],
    ['kind', '{activity_kind}'],
    ['device_id', '{adid}'],
    ['event_time', '{created_at}'],
  ];
  const install = postbackUrl(input, [...common, ['reason', '{rejection_reason}']]);
  const event = postbackUrl(input, [...common, ['event', '{event}'], ['revenue', '{revenue_float}'], ['currency', '{currency}']]);
  const tokens = input.events ?? [];
  // The callback is a URL inside a URL: encoded whole, except postflow's own {click_id}, which the click route fills.
  const encode = (url: string) => encodeURIComponent(url).replace(/%7Bclick_id%7D/g, '{click_id}');
  const callbacks = [
    `install_callback=${encode(install)}`,
    `rejected_install_callback=${encode(install)}`,
    `reattribution_callback=${encode(install)}`,
    ...(tokens.length > 0 ? [`event_callback_${tokens.join('_')}=${encode(event)}`] : []),
  ];
  return {
    tracking_link: joinQuery(linkBase(input, 'https://app.adjust.com/<tracker token>'), callbacks.join('&')),
    postbacks: [
      {
        for: 'installs, rejected installs and reattributions (Adjust fills {activity_kind})',
        kinds: ['install', 'rejected_install', 'reattribution', 'rejected_reattribution', 'reinstall', 'updated_attribution'],
        url: install,
      },
      { for: `in-app events (tokens ${tokens.join(', ') || 'none mapped yet'})`, kinds: ['event'], url: event },
    ],
    instructions:
      "Save the tracking link as the offer's URL: Adjust reads the callbacks from the link itself. Each mapped event token needs its " +
      'event_callback_<token>; map a new token and save the new link. On a branded link, prefix the callback parameters with adj_.',
  };
}

function branch(input: TemplateInput): Templates {
  const url = postbackUrl(input, [
    ['kind', 'event'],
    ['click_id', '${(last_attributed_touch_data.~click_id)!}'],
    ['event', '${(name)!}'],
    ['event_id', '${(id)!}'],
    ['revenue', '${(event_data.revenue)!}'],
    ['currency', '${(event_data.currency)!}'],
    ['event_time', '${(event_timestamp)!}'],
    ['device_id', '${(user_data.developer_identity)!}'],
  ]);
  return {
    tracking_link: joinQuery(
      linkBase(input, 'https://<app>.app.link/<alias>?%243p=<partner>'),
      '~click_id={click_id}&~secondary_publisher={aff_id}',
    ),
    postbacks: [
      { for: 'installs, reinstalls and events (one URL: Branch names the event)', kinds: ['install', 'reinstall', 'event'], url },
    ],
    instructions:
      'Add the postback in Branch (Ads > Partner Management, your partner, Postback Config) for Install and each event you map. ' +
      'Branch retries only on a timeout and switches off postbacks that keep failing: postflow answers 200 to repeats and unmapped events.',
  };
}

function singular(input: TemplateInput): Templates {
  const common: Params = [
    ['click_id', '{cl?postflow}'],
    ['device_id', '{IDFA}{AIFA}'],
  ];
  return {
    tracking_link: joinQuery(linkBase(input, 'https://<app>.sng.link/<link id>?pcid=<partner>'), 'cl={click_id}&psid={aff_id}'),
    postbacks: [
      {
        for: 'installs and re-engagements',
        kinds: ['install', 'reengagement'],
        url: postbackUrl(input, [['kind', 'install'], ...common, ['is_reengagement', '{IS_RE_ENG}'], ['event_time', '{UTCM}']]),
      },
      {
        for: 'in-app events',
        kinds: ['event'],
        url: postbackUrl(input, [['kind', 'event'], ...common, ['event', '{EVTNAME}'], ['revenue', '{AMOUNT}'], ['event_time', '{UTCM}']]),
      },
    ],
    instructions:
      'In {cl?postflow}, replace postflow with the name your network is integrated under in Singular. Singular retries 5 times on ' +
      'HTTP 500–559 (1, 5, 15, 30, 60 min) from 198.134.6.0/23.',
  };
}

function kochava(input: TemplateInput): Templates {
  // Kochava configures a postback per event, so each event's URL names it; the install is `_install`.
  const common: Params = [
    ['click_id', '{click_id}'],
    ['revenue', '{event_value}'],
    ['currency', '{currency}'],
    ['event_time', '{timestamp}'],
    ['device_id', '{kochava_device_id}'],
  ];
  return {
    tracking_link: joinQuery(
      linkBase(input, 'https://control.kochava.com/v1/cpi/click?campaign_id=<campaign>&network_id=<network>'),
      'click_id={click_id}&site_id={aff_id}',
    ),
    postbacks: [
      { for: 'installs', kinds: ['install'], url: postbackUrl(input, [['kind', 'install'], ...common]) },
      ...(input.events ?? []).map((name) => ({
        for: `the event ${name}`,
        kinds: ['event'] as MmpKind[],
        url: postbackUrl(input, [['kind', 'event'], ['event', encodeURIComponent(name)], ...common]),
      })),
    ],
    instructions:
      "Add the install URL as the install postback and each event URL as that event's postback (Partner Configuration); " +
      'set retries to at least 3.',
  };
}

const byVendor: Record<MmpVendor, (input: TemplateInput) => Templates> = { appsflyer, adjust, branch, singular, kochava };

export function mmpTemplates(input: TemplateInput): Templates {
  return byVendor[input.vendor](input);
}
