/** Values for an offer URL's macros; a missing sub renders as an empty string. */
export interface OfferUrlValues {
  click_id: string;
  offer_id: string;
  aff_id: string;
  sub1?: string;
  sub2?: string;
  sub3?: string;
  sub4?: string;
  sub5?: string;
}

export const offerUrlMacros = ['click_id', 'offer_id', 'aff_id', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const;
const knownMacros: ReadonlySet<string> = new Set(offerUrlMacros);

/** A trafficback URL also gets why the click was turned away (domain/trafficback.ts). */
export const trafficbackUrlMacros = [...offerUrlMacros, 'reason'] as const;
const knownTrafficbackMacros: ReadonlySet<string> = new Set(trafficbackUrlMacros);
export type TrafficbackUrlValues = OfferUrlValues & { reason: string };

// Anything in braces counts as a macro, so a typo such as "{click id}" is reported, not ignored.
const MACRO = /\{([^{}]+)\}/g;

// encodeURIComponent throws URIError on a lone surrogate; a sub id must never crash the click
// redirect, so such code units become U+FFFD first (what String#toWellFormed does in ES2024).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function encode(value: string): string {
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD'));
}

/**
 * Fills the known macros, URL-encoded, in one pass (a value containing "{sub2}" is not expanded
 * again). Unknown macros stay as written; the admin API refuses offers that have them.
 */
export function renderOfferUrl(template: string, values: OfferUrlValues): string {
  return render(template, values, knownMacros);
}

/** A trafficback target URL: the offer URL's macros and {reason}. */
export function renderTrafficbackUrl(template: string, values: TrafficbackUrlValues): string {
  return render(template, values, knownTrafficbackMacros);
}

function render(template: string, values: object, known: ReadonlySet<string>): string {
  const byName = values as Record<string, string | undefined>;
  return template.replace(MACRO, (macro, name: string) => (known.has(name) ? encode(byName[name] ?? '') : macro));
}

/** Distinct unknown macros, with their braces, in order of first appearance. */
export function unknownMacros(template: string, known: ReadonlySet<string> = knownMacros): string[] {
  const unknown = new Set<string>();
  for (const [macro, name] of template.matchAll(MACRO)) {
    if (name !== undefined && !known.has(name)) unknown.add(macro);
  }
  return [...unknown];
}

/** Unknown macros of a trafficback URL. */
export const unknownTrafficbackMacros = (template: string): string[] => unknownMacros(template, knownTrafficbackMacros);
