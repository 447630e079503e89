import Big from 'big.js';
import { type AmountRule } from './offer';

/**
 * Money math on decimal strings and integer minor units, via big.js: never JS floats.
 * Rounding modes are passed per call; big.js's global Big.DP / Big.RM are never touched,
 * because other code in the same process may rely on the defaults.
 */

const DECIMAL = /^\d+(\.\d+)?$/;
const NEGATIVE_DECIMAL = /^-\d+(\.\d+)?$/;

const exponents = new Map<string, number>();

/**
 * Minor-unit digits of an ISO 4217 code, as the runtime's ICU/CLDR data knows them.
 * Caveat: CLDR's digits differ from ISO 4217's for a few currencies (e.g. HUF and IQD give 0),
 * and they come with the Node version; see the README / report before relying on those.
 */
export function currencyExponent(currency: string): number {
  // Building an Intl.NumberFormat costs ~40 µs; reports and timelines ask thousands of times.
  const known = exponents.get(currency);
  if (known !== undefined) return known;
  // Intl accepts lowercase and any well-formed code; demand the canonical upper case so one
  // currency cannot end up under two spellings in the ledger.
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new Error(`invalid currency code ${JSON.stringify(currency)}: expected three upper-case letters (ISO 4217)`);
  }
  let digits: number | undefined;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    throw new Error(`invalid currency code ${JSON.stringify(currency)}`);
  }
  if (digits === undefined) throw new Error(`no minor-unit digits known for currency ${currency}`);
  exponents.set(currency, digits);
  return digits;
}

/** Parses a non-negative decimal string ("12", "12.50"); `what` names it in the error. */
function parseAmount(value: string, what: string): Big {
  if (NEGATIVE_DECIMAL.test(value)) throw new Error(`${what} must not be negative: ${JSON.stringify(value)}`);
  if (!DECIMAL.test(value)) throw new Error(`${what} is not a decimal number: ${JSON.stringify(value)}`);
  return new Big(value);
}

/** Major units → integer minor units, rounded half-up; throws beyond Number's safe range. */
function majorToMinor(major: Big, currency: string): number {
  const minor = major.times(new Big(10).pow(currencyExponent(currency))).round(0, Big.roundHalfUp);
  const n = Number(minor.toFixed(0));
  if (!Number.isSafeInteger(n)) throw new Error(`amount ${major.toFixed()} ${currency} is too large`);
  return n;
}

/**
 * "12.50" USD → 1250. More fractional digits than the currency has are rounded half-up rather
 * than refused: advertisers do send sale amounts like "10.005" (tax or FX already applied), and
 * refusing them would lose a real conversion over a sub-cent.
 */
export function toMinor(amount: string, currency: string): number {
  return majorToMinor(parseAmount(amount, 'amount'), currency);
}

/** 1250 USD → "12.50", 1000 JPY → "1000", -1250 USD → "-12.50". */
export function fromMinor(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new Error(`minor units must be a safe integer, got ${minor}`);
  const exponent = currencyExponent(currency);
  // Dividing by a power of ten is exact in big.js, so toFixed only pads and never rounds.
  return new Big(minor).div(new Big(10).pow(exponent)).toFixed(exponent);
}

/** Payout or revenue of one conversion, in minor units of `currency`. */
export function computeAmountMinor(
  rule: AmountRule,
  saleAmount: string | undefined,
  currency: string,
): { minor: number } | { error: 'amount_required' } {
  if (rule.type === 'fixed') return { minor: toMinor(rule.amount, currency) };
  if (saleAmount === undefined) return { error: 'amount_required' };
  // times('0.01') instead of div(100): multiplication is exact, division is cut at Big.DP digits.
  const major = parseAmount(saleAmount, 'sale amount').times(parseAmount(rule.amount, 'percent')).times('0.01');
  return { minor: majorToMinor(major, currency) };
}
