/**
 * Macros of affiliate postback templates (outbound URLs and JSON bodies). Pure: workflow code
 * imports this file too.
 */
export const postbackMacros = [
  'event_id',
  'conversion_id',
  'click_id',
  'offer_id',
  'aff_id',
  'goal',
  'status',
  'payout',
  'currency',
  'txid',
  'sub1',
  'sub2',
  'sub3',
  'sub4',
  'sub5',
  'timestamp',
] as const;

export type PostbackMacro = (typeof postbackMacros)[number];

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
