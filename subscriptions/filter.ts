import Big from 'big.js';
import { z } from 'zod';

/**
 * A subscription's content filter: a small JSON language over an event's `data`, validated once
 * at save (a 400 names the bad path) and matched by a pure function at delivery.
 *
 *   { "offer_id": "off_1" }                                   equals (shorthand for { "eq": … })
 *   { "status": { "in": ["approved", "reversed"] } }          one of
 *   { "payout": { "gte": 5, "lt": 100 } }                     a range (operators in one object are ANDed)
 *   { "any": [{ "goal": "sale" }, { "payout": { "gt": 10 } }] }  at least one sub-filter
 *   { "all": [ … ] }                                          every sub-filter
 *   { "subs.sub1": { "exists": true } }                       dotted paths reach nested objects
 *
 * Keys of one object are ANDed; `{}` matches everything. Operators: eq, ne, in, nin, gt, gte, lt,
 * lte, exists. `ne` and `nin` also match a missing field (as MongoDB's do); every other operator
 * needs the field present. Range operators and a number compared with `eq`/`in` read numbers and
 * decimal strings ("12.50", how money travels) exactly, with big.js; other values never match a range.
 * `all`, `any` (and nothing else) are reserved at the top of a filter object, so a data field of
 * that name cannot be filtered on.
 */

export type Scalar = string | number | boolean | null;
export interface Operators {
  eq?: Scalar;
  ne?: Scalar;
  in?: Scalar[];
  nin?: Scalar[];
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
  exists?: boolean;
}
export type Condition = Scalar | Operators;
export interface Filter {
  all?: Filter[];
  any?: Filter[];
  [field: string]: Condition | Filter[] | undefined;
}

const MAX_DEPTH = 4;
const MAX_CONDITIONS = 50;
const MAX_LIST = 100;
const COMBINATORS = new Set(['all', 'any']);

/** snake_case segments joined by dots: `offer_id`, `subs.sub1`. */
export const fieldPathPattern = /^[a-z_][a-z0-9_]{0,63}(\.[a-z_][a-z0-9_]{0,63}){0,4}$/;
const fieldPath = z.string().regex(fieldPathPattern, 'must be a snake_case field path like "offer_id" or "subs.sub1"');

const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean(), z.null()], {
  error: 'must be a string, number, boolean or null',
});
const DECIMAL = /^-?\d+(\.\d+)?$/;
const bound = z.union([z.number().finite(), z.string().regex(DECIMAL)], { error: 'must be a number or a decimal string' });
const list = z.array(scalar).min(1).max(MAX_LIST);

const operators = z
  .object({ eq: scalar, ne: scalar, in: list, nin: list, gt: bound, gte: bound, lt: bound, lte: bound, exists: z.boolean() })
  .partial()
  .strict()
  .refine((ops) => Object.keys(ops).length > 0, 'needs at least one operator (eq, ne, in, nin, gt, gte, lt, lte, exists)');

type Ctx = z.RefinementCtx;
type Path = (string | number)[];

function forward(ctx: Ctx, at: Path, result: { success: boolean; error?: z.ZodError }): void {
  for (const issue of result.error?.issues ?? []) ctx.addIssue({ code: 'custom', message: issue.message, path: [...at, ...issue.path] });
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Walks one filter object, reporting every problem at its path; returns how many conditions it holds. */
function check(node: unknown, at: Path, depth: number, ctx: Ctx): number {
  if (!isPlainObject(node)) {
    ctx.addIssue({ code: 'custom', message: 'must be a filter object', path: at });
    return 0;
  }
  let conditions = 0;
  for (const [key, value] of Object.entries(node)) {
    if (COMBINATORS.has(key)) {
      if (depth >= MAX_DEPTH) {
        ctx.addIssue({ code: 'custom', message: `nests deeper than ${MAX_DEPTH} levels of all/any`, path: [...at, key] });
        continue;
      }
      if (!Array.isArray(value) || value.length === 0 || value.length > 20) {
        ctx.addIssue({ code: 'custom', message: 'must be a list of 1 to 20 filter objects', path: [...at, key] });
        continue;
      }
      value.forEach((sub, i) => (conditions += check(sub, [...at, key, i], depth + 1, ctx)));
      continue;
    }
    forward(ctx, [...at, key], fieldPath.safeParse(key));
    conditions += 1;
    forward(ctx, [...at, key], isPlainObject(value) ? operators.safeParse(value) : scalar.safeParse(value));
  }
  return conditions;
}

/**
 * The filter as a request body field. Described in the document as an object: the grammar is
 * recursive and keyed by data paths, which JSON Schema states poorly; the description points here.
 */
export const filterSchema = z
  .record(z.string(), z.unknown())
  .superRefine((node, ctx) => {
    const conditions = check(node, [], 0, ctx);
    if (conditions > MAX_CONDITIONS) ctx.addIssue({ code: 'custom', message: `has ${conditions} conditions; at most ${MAX_CONDITIONS}` });
  })
  .transform((node) => node as Filter)
  .meta({
    description:
      'A content filter over the event\'s `data` (README "Subscriptions"): `{"offer_id": "off_1"}`, ' +
      '`{"status": {"in": ["approved","reversed"]}}`, `{"payout": {"gte": 5, "lt": 100}}`, `{"any": [...]}`, `{"all": [...]}`; ' +
      'operators eq, ne, in, nin, gt, gte, lt, lte, exists. `{}` matches every event.',
    example: { offer_id: 'off_1', status: { in: ['approved', 'reversed'] } },
  });

/** The value at a dotted path, or undefined when any segment is missing. */
export function valueAt(data: unknown, path: string): unknown {
  let value: unknown = data;
  for (const segment of path.split('.')) {
    if (!isPlainObject(value) || !Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = value[segment];
  }
  return value;
}

/** A number or a decimal string as an exact decimal; anything else is not a number here. */
function decimal(value: unknown): Big | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? new Big(value) : undefined;
  if (typeof value === 'string' && DECIMAL.test(value)) return new Big(value);
  return undefined;
}

/** Equality: a number operand also equals the same amount as a decimal string ("5.00" equals 5). */
function same(value: unknown, operand: Scalar): boolean {
  if (typeof operand === 'number') {
    const a = decimal(value);
    return a !== undefined && a.eq(operand);
  }
  return value === operand;
}

function compare(value: unknown, operand: number | string, test: (order: number) => boolean): boolean {
  const a = decimal(value);
  return a !== undefined && test(a.cmp(decimal(operand)!));
}

function conditionHolds(value: unknown, condition: Condition): boolean {
  if (typeof condition !== 'object' || condition === null) return value !== undefined && same(value, condition);
  const ops = condition;
  const present = value !== undefined;
  if (ops.exists !== undefined && ops.exists !== present) return false;
  if (ops.eq !== undefined && !(present && same(value, ops.eq))) return false;
  if (ops.ne !== undefined && present && same(value, ops.ne)) return false;
  if (ops.in !== undefined && !(present && ops.in.some((o) => same(value, o)))) return false;
  if (ops.nin !== undefined && present && ops.nin.some((o) => same(value, o))) return false;
  if (ops.gt !== undefined && !compare(value, ops.gt, (c) => c > 0)) return false;
  if (ops.gte !== undefined && !compare(value, ops.gte, (c) => c >= 0)) return false;
  if (ops.lt !== undefined && !compare(value, ops.lt, (c) => c < 0)) return false;
  if (ops.lte !== undefined && !compare(value, ops.lte, (c) => c <= 0)) return false;
  return true;
}

/** Whether an event's data passes a (validated) filter. Pure: no I/O, no clock. */
export function matchesFilter(filter: Filter, data: unknown): boolean {
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === 'all' && !(value as Filter[]).every((sub) => matchesFilter(sub, data))) return false;
    else if (key === 'any' && !(value as Filter[]).some((sub) => matchesFilter(sub, data))) return false;
    else if (!COMBINATORS.has(key) && !conditionHolds(valueAt(data, key), value as Condition)) return false;
  }
  return true;
}
