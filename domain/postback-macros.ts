/**
 * Macros of affiliate postback templates (outbound URLs and JSON bodies). Pure: workflow code
 * imports this file too.
 */
/**
 * Every macro the expander knows, with what it holds and an example value: the one table the
 * renderer, the API's validation and the macro list (`GET /api/postback-macros`) all read, so
 * the list shown to affiliates cannot drift from what is expanded.
 */
export const postbackMacroTable = {
  event_id: {
    description: 'stable id of the event: the same on every attempt and redelivery (also the webhook-id header)',
    example: 'evt_3f9a1c2b7d4e5f60',
  },
  conversion_id: { description: 'the conversion id', example: 'cv_8d1e0f2a4b6c' },
  click_id: { description: 'the click id the conversion is attributed to', example: 'clk_0193a7c2e4f1' },
  offer_id: { description: 'the offer id', example: 'off_5b2d9e' },
  aff_id: { description: 'your affiliate id', example: 'aff_7c41a0' },
  goal: { description: "the goal's key", example: 'sale' },
  status: { description: 'the event: approved, pending, held, declined, reversed or rejected', example: 'approved' },
  payout: { description: 'your payout as a decimal, in the offer currency (empty before attribution)', example: '5.25' },
  currency: { description: 'ISO 4217 currency of the payout', example: 'USD' },
  txid: { description: "the advertiser's transaction id (empty when none was sent)", example: 'order-77' },
  sub1: { description: 'sub id 1 from your tracking link', example: 'banner-1' },
  sub2: { description: 'sub id 2 from your tracking link', example: 'campaign-9' },
  sub3: { description: 'sub id 3 from your tracking link', example: 'site-42' },
  sub4: { description: 'sub id 4 from your tracking link', example: 'creative-a' },
  sub5: { description: 'sub id 5 from your tracking link', example: 'click-abc123' },
  timestamp: { description: 'Unix seconds when the event happened', example: '1767225600' },
  is_test: {
    description: '1 for a test postback (fired to check your endpoint; also the X-Postflow-Test: 1 header), else 0',
    example: '0',
  },
} as const satisfies Record<string, { description: string; example: string }>;

export const postbackMacros = Object.keys(postbackMacroTable) as (keyof typeof postbackMacroTable)[];

export type PostbackMacro = keyof typeof postbackMacroTable;

/** Values for a postback's macros; a missing one renders as an empty string. */
export type MacroValues = Partial<Record<PostbackMacro, string>>;

const knownMacros: ReadonlySet<string> = new Set(postbackMacros);

// Anything in braces counts as a macro (as in click-url.ts), so a typo such as "{click id}" is
// reported, not ignored. Unlike offer URLs, postback bodies are JSON, so a name may not contain a
// double quote: `{"x":1}` is a nested JSON object, not an unknown macro.
const MACRO = /\{([^{}"]+)\}/g;

// encodeURIComponent throws URIError on a lone surrogate; a sub id (attacker-controlled, it comes
// from the click URL) must never make a delivery fail forever, so such code units become U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function render(template: string, values: MacroValues, encode: (value: string) => string): string {
  // One pass: a value containing "{sub2}" is not expanded again.
  return template.replace(MACRO, (macro, name: string) => (knownMacros.has(name) ? encode(values[name as PostbackMacro] ?? '') : macro));
}

/** Fills the known macros URL-encoded; unknown macros stay as written. */
export function renderPostbackUrl(template: string, values: MacroValues): string {
  return render(template, values, (value) => encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD')));
}

/**
 * Fills the known macros of a JSON body template with the JSON-string-escaped value, without the
 * surrounding quotes, so `{"id":"{event_id}"}` stays valid JSON whatever the value holds.
 * A macro written outside a JSON string (`{"payout":{payout}}`) is filled the same way; that is
 * valid JSON only when the value is a JSON literal (a number, say), which is the template's job.
 */
export function renderPostbackBody(template: string, values: MacroValues): string {
  // JSON.stringify escapes a lone surrogate as \udXXX (ES2019), which is still valid JSON.
  return render(template, values, (value) => JSON.stringify(value).slice(1, -1));
}

/**
 * Distinct unknown macros, with their braces, in order of first appearance. Whitespace-only
 * braces (`{ }`, an empty JSON object) are not macros, like `{}`.
 */
export function unknownPostbackMacros(template: string): string[] {
  const unknown = new Set<string>();
  for (const [macro, name] of template.matchAll(MACRO)) {
    if (name !== undefined && name.trim() !== '' && !knownMacros.has(name)) unknown.add(macro);
  }
  return [...unknown];
}

const SCHEME_AND_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/**
 * True when a macro could end up in the scheme or the authority (host, port, userinfo): a value
 * there would choose where the postback goes, so the API refuses such templates. Any brace counts
 * (braces never belong in a host, and `{"x"}` is no known macro but still a brace). When the
 * template does not start with `scheme://`, the authority cannot be located, so a brace anywhere
 * counts.
 */
export function authorityHasMacro(url: string): boolean {
  const head = SCHEME_AND_AUTHORITY.exec(url);
  return /[{}]/.test(head === null ? url : head[0]);
}
