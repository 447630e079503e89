import type { Models } from '../../models';
import { newTimeOrderedId } from '../../models/ids';
import type { OfferSetup } from './admin';
import { LoadGenerator, type PhaseResult, type Progress, type RequestSpec, type Target } from './load';

/**
 * Inserts `count` clicks directly (the click route is measured by click-redirect.ts; here they are
 * only setup). Lean inserts in batches skip Mongoose's per-document casting and validation.
 */
export async function insertClicks(models: Models, setup: OfferSetup, count: number): Promise<string[]> {
  const ids: string[] = [];
  // A minute old: a realistic gap, and clear of a min_seconds_to_convert rule should one be added.
  const createdAt = new Date(Date.now() - 60_000);
  const batch = 2_000;
  for (let start = 0; start < count; start += batch) {
    const docs = Array.from({ length: Math.min(batch, count - start) }, (_, i) => ({
      _id: newTimeOrderedId('clk'),
      offer_id: setup.offerId,
      affiliate_id: setup.affiliateId,
      advertiser_id: setup.advertiserId,
      subs: { sub1: `s${start + i}` },
      ip: '198.51.100.7',
      user_agent: 'Mozilla/5.0 (postflow-bench)',
      created_at: createdAt,
    }));
    await models.Click.insertMany(docs, { lean: true, ordered: false });
    for (const d of docs) ids.push(d._id);
  }
  return ids;
}

/** The postback's fields besides click_id; {seq} in a value is the request's number. */
export type PostbackFields = Record<string, string>;

const BENCH_FIELDS: PostbackFields = { txid: 'tx-{seq}', amount: '12.50', currency: 'USD' };

/**
 * POST /postback as advertisers' servers send it: a JSON body, the token in its header, one
 * distinct click per request (so every 200 is a new conversion).
 */
export function postbackSpec(
  token: string,
  clickIds: string[],
  extra: Partial<RequestSpec> = {},
  fields: PostbackFields = BENCH_FIELDS,
): RequestSpec {
  return {
    method: 'POST',
    path: '/postback',
    headers: { 'content-type': 'application/json', 'x-postback-token': token, 'x-forwarded-for': '203.0.113.9' },
    // {value} is replaced by the click id as is: click ids are [a-z0-9_], nothing to escape in JSON.
    body: JSON.stringify({ click_id: '{value}', ...fields }),
    values: clickIds,
    tallyJsonField: 'result',
    ...extra,
  };
}

// newTimeOrderedId('clk'): the prefix and 32 hex digits (models/ids.ts).
const CLICK_ID = /clk_[0-9a-f]{32}/;

/**
 * The click id in /click's redirect: wherever the offer URL put its {click_id} macro (any
 * parameter name, or the path), so it works for any offer, not just the benchmarks'.
 */
export function clickIdFromLocation(location: string): string | undefined {
  let text = location;
  try {
    text = decodeURIComponent(location);
  } catch {
    // a malformed escape elsewhere in the URL: the id itself needs no decoding
  }
  return CLICK_ID.exec(text)?.[0];
}

export interface HttpClicks {
  clickIds: string[];
  /** Redirects whose Location carried no click id (the offer URL lacks the {click_id} macro). */
  withoutId: number;
  /** Example Location of such a redirect. */
  exampleLocation?: string;
  /** One per round: a round's 429s, 5xx and transport errors are retried in the next, up to `rounds`. */
  phases: PhaseResult[];
}

const retriable = (p: PhaseResult) =>
  Object.entries(p.statusCounts).some(([s, n]) => n > 0 && (s === '429' || Number(s) >= 500)) || Object.keys(p.errors).length > 0;

/**
 * Creates `count` clicks through GET /click, as browsers would (each its own sub1), `concurrency`
 * at a time, without following the redirect: the click id is read from its Location header.
 * Rate-limited (429), failed (5xx) and unanswered requests are retried in up to `rounds` rounds,
 * a second apart; anything else (404 for an unknown offer, say) is final.
 */
export async function createClicksOverHttp(
  target: Target,
  pathPrefix: string,
  ids: { offerId: string; affiliateId: string },
  count: number,
  opts: { concurrency: number; rounds?: number; progress?: (p: Progress) => void },
): Promise<HttpClicks> {
  const spec: RequestSpec = {
    method: 'GET',
    path: `${pathPrefix}/click?offer_id=${encodeURIComponent(ids.offerId)}&aff_id=${encodeURIComponent(ids.affiliateId)}&sub1=lg{seq}`,
    headers: { 'user-agent': 'Mozilla/5.0 (postflow-loadgen)' },
    recordHeader: 'location',
  };
  const generator = new LoadGenerator(target, spec, opts.concurrency);
  const out: HttpClicks = { clickIds: [], withoutId: 0, phases: [] };
  try {
    for (let round = 0; out.clickIds.length < count && round < (opts.rounds ?? 5); round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, 1_000));
      // The duration only bounds a stuck run; maxRequests ends it.
      const phase = await generator.run(
        {
          mode: 'closed',
          concurrency: opts.concurrency,
          durationMs: 24 * 3600 * 1000,
          maxRequests: count - out.clickIds.length,
          expectStatus: 302,
        },
        opts.progress ? { progress: { everyMs: 5_000, report: opts.progress } } : {},
      );
      for (const [location] of phase.records ?? []) {
        const id = clickIdFromLocation(location);
        if (id) out.clickIds.push(id);
        else {
          out.withoutId += 1;
          out.exampleLocation ??= location;
        }
      }
      out.phases.push({ ...phase, records: undefined });
      if (out.withoutId > 0 || !retriable(phase)) break;
    }
    return out;
  } finally {
    generator.close();
  }
}
