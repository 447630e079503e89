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
export const name = z.string().trim().min(1, 'must not be empty').max(200);

/** Decimal string in major units ("12.50"); numbers are accepted and turned into strings. */
export const decimalString = z
  .union([z.string().trim(), z.number()])
  .transform((v) => String(v))
  .pipe(z.string().regex(/^\d{1,12}(\.\d{1,6})?$/, 'must be a non-negative decimal such as 12.50'))
  .meta({
    description: 'non-negative decimal in major units, up to 6 decimals; best sent as a string',
    example: '12.50',
  });

export { isoCurrencies };

export const currencyCode = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .pipe(z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as USD'))
  .refine((code) => isoCurrencies.has(code), 'is not an ISO 4217 currency code')
  .meta({ description: 'ISO 4217 code', example: 'USD' });

/** ?limit=&offset= paging for list endpoints. */
export const paging = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
