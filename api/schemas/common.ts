import { z } from 'zod';

/** Our ids (adv_…, off_…, clk_…, cv_…): a fixed alphabet, no trimming, so one id has one spelling. */
// Intl.NumberFormat accepts any well-formed code; this list is the runtime's ISO 4217 table.
const isoCurrencies = new Set(Intl.supportedValuesOf('currency'));

export const idParam = z
  .string({
    error: (issue) =>
      issue.input === undefined ? 'is required' : Array.isArray(issue.input) ? 'must be given once, not repeated' : undefined,
  })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id such as off_0123abcd (letters, digits, "_" and "-")');
/**
 * Text that must not be blank. Length and blankness are checked before trimming, so the
 * document's maxLength and pattern say exactly what is accepted.
 */
export const nonBlank = (max: number) => z.string().max(max, `must be at most ${max} characters`).regex(/\S/, 'must not be empty').trim();
export const name = nonBlank(200);

const DECIMAL = /^\d{1,12}(\.\d{1,6})?$/;

/**
 * A JSON number is read as the decimal it was written as: 12.5 is "12.5". A binary float rarely
 * equals its decimal, so a few units in the last place are forgiven; more decimals than 6 are not.
 */
function numberToDecimal(n: number): string {
  if (!Number.isFinite(n) || n < 0) return String(n);
  const fixed = n.toFixed(6).replace(/\.?0+$/, '');
  return Math.abs(Number(fixed) - n) <= 4 * Number.EPSILON * n ? fixed : String(n);
}

/** Decimal string in major units ("12.50"); numbers are accepted and turned into strings. */
export const decimalString = z
  .union([z.string().trim(), z.number()])
  .transform((v) => (typeof v === 'number' ? numberToDecimal(v) : v))
  .pipe(z.string().regex(DECIMAL, 'must be a non-negative decimal such as 12.50'))
  .meta({
    description: 'non-negative decimal in major units, up to 6 decimals; best sent as a string',
    example: '12.50',
    // The document states the rule the pipe enforces (the generator sees only string | number).
    anyOf: [
      { type: 'string', pattern: '^[0-9]{1,12}(\\.[0-9]{1,6})?$' },
      { type: 'number', minimum: 0, maximum: 999_999_999_999, multipleOf: 0.000001 },
    ],
  });

export { isoCurrencies };

export const currencyCode = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .pipe(z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as USD'))
  .refine((code) => isoCurrencies.has(code), 'is not an ISO 4217 currency code')
  .meta({ description: 'ISO 4217 code', example: 'USD', enum: [...isoCurrencies] });

/** ?limit=&offset= paging for list endpoints. */
export const paging = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/**
 * Response shapes (here and in the other schema files) describe what the routes answer, for the
 * reference: responses are built by the routes (toApi), not parsed. `.meta({ id })` makes a shape
 * a named component of the document.
 */
export const at = z.iso.datetime();
export const timestamps = { created_at: at, updated_at: at };

/** `{data, next_offset}`: next_offset is null on the last page. */
export const page = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      data: z.array(item),
      next_offset: z.number().int().nullable().meta({ description: 'offset of the next page; null on the last page' }),
    })
    .meta({ id: name });

/** An http(s) URL once its {macros} are filled (each stands for a value that is URL-encoded). */
export function isHttpUrlTemplate(url: string): boolean {
  if (!/^https?:\/\//i.test(url)) return false;
  try {
    new URL(url.replace(/\{[^}]*\}/g, 'x'));
    return true;
  } catch {
    return false;
  }
}

/**
 * For the document: a URL template with macros is no `format: uri` (braces are not allowed in a
 * URI), so it is described by a pattern that matches only templates the API accepts: a host
 * whose last label starts with a letter (a numeric one would be read as an IPv4 address), labels
 * without a leading, trailing or doubled hyphen (a label such as "xn--a" is punycode, and the URL
 * parser refuses an invalid one), and known macros in the path, query or fragment only.
 */
export function urlTemplatePattern(macros: readonly string[]): string {
  const label = '[A-Za-z0-9]+(-[A-Za-z0-9]+)*';
  const host = `(${label}\\.)*[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*`;
  const char = "[A-Za-z0-9._~!$&'()*+,;=:@%/?#-]";
  return `^https?://${host}(:[1-9][0-9]{0,3})?([/?#](${char}|\\{(${macros.join('|')})\\})*)?$`;
}

// Intl lists canonical zones only; UTC is accepted everywhere and worth naming.
export const ianaZones = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])];

/** An IANA time zone, checked by `isValid`; the document lists the zones this runtime knows. */
export const timeZone = (isValid: (zone: string) => boolean, message: string) =>
  z.string().refine(isValid, message).meta({ enum: ianaZones, example: 'Europe/Berlin' });
