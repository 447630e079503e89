/**
 * A load generator for any postflow deployment: creates clicks through GET /click (reading each
 * click id from the redirect, following nothing), then sends advertiser postbacks for them at a
 * steady open-loop rate, with progress lines and a final summary (or --json).
 *
 *   npm run loadgen -- --url https://track.example.com --rate 50 --duration 60 \
 *     --offer off_… --affiliate aff_… --token <the offer's advertiser's postback token>
 *   npm run loadgen -- --url http://127.0.0.1:3000 --key $ADMIN_API_KEY --rate 20
 *     (creates its own advertiser, affiliate and offer through the admin API first)
 */
import { randomBytes } from 'node:crypto';
import { createAffiliate, createOfferSetup } from './lib/admin';
import { parseFlags } from './lib/args';
import { createClicksOverHttp, postbackSpec, type PostbackFields } from './lib/clicks';
import { LoadGenerator, type PhaseResult, type Progress, type Target } from './lib/load';
import { round } from './lib/stats';

const usage = 'npx tsx bench/loadgen.ts --url URL (--offer ID --token TOKEN [--affiliate ID] | --key ADMIN_KEY) [flags]';
const flags = parseFlags(usage, {
  url: { type: 'string', help: "the deployment's base URL, e.g. https://track.example.com (a path prefix is kept)" },
  rate: { help: 'postbacks per second, sent on schedule whatever the answers (open loop)', default: 10 },
  duration: { help: 'seconds of postbacks (clicks are created before, not counted)', default: 30 },
  offer: {
    type: 'string',
    help: 'the offer to click on (without it, --key creates an advertiser, affiliate and offer)',
  },
  affiliate: {
    type: 'string',
    help: "the affiliate clicking (without it, --key creates one named 'postflow loadgen')",
  },
  token: {
    type: 'string',
    env: 'POSTFLOW_POSTBACK_TOKEN',
    help: "the offer's advertiser's postback token, needed with --offer",
  },
  key: { type: 'string', env: 'ADMIN_API_KEY', help: 'admin API key, to create what is missing' },
  goal: { type: 'string', help: "the postback's goal (default: the offer's default goal)" },
  amount: { type: 'string', help: "the postback's amount, e.g. 12.50 (default: none, or 12.50 for a created offer)" },
  currency: { type: 'string', help: "the postback's currency, e.g. EUR (default: none, or USD for a created offer)" },
  concurrency: {
    help: 'connection cap for postbacks (more requests wait in the client, and that wait counts)',
    default: 64,
  },
  'click-concurrency': { help: 'clicks created at a time', default: 8 },
  timeout: { help: 'seconds before a request counts as a transport error', default: 30 },
  progress: { help: 'seconds between progress lines', default: 5 },
  json: { type: 'boolean', help: 'print the summary as JSON on stdout (progress stays on stderr)' },
});

const say = (line: string) => process.stderr.write(`[loadgen] ${line}\n`);

function fail(message: string): never {
  say(message);
  process.exit(2);
}

function parseUrl(raw: string | undefined): { base: string; target: Target; prefix: string } {
  if (!raw) fail(`--url is required\nusage: ${usage}`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    fail(`--url must be an absolute http(s) URL (got "${raw}")`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') fail(`--url must be http or https (got "${u.protocol}")`);
  const prefix = u.pathname.replace(/\/+$/, '');
  const protocol = u.protocol;
  return {
    base: `${u.origin}${prefix}`,
    prefix,
    target: {
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || (protocol === 'https:' ? 443 : 80)),
      protocol,
    },
  };
}

/** Offer, affiliate and token from the flags, creating with the admin key what they leave out. */
async function resolveSetup(
  base: string,
): Promise<{ offerId: string; affiliateId: string; token: string; created: string[]; fields: PostbackFields }> {
  const fields: PostbackFields = {};
  if (flags.goal) fields.goal = flags.goal;
  if (!flags.offer) {
    if (!flags.key) fail('give --offer (with --token), or --key (or ADMIN_API_KEY) to create an advertiser, affiliate and offer');
    const setup = await createOfferSetup(base, flags.key);
    return {
      offerId: setup.offerId,
      affiliateId: setup.affiliateId,
      token: setup.token,
      created: [`advertiser ${setup.advertiserId}`, `affiliate ${setup.affiliateId}`, `offer ${setup.offerId}`],
      fields: { amount: flags.amount ?? '12.50', currency: flags.currency ?? 'USD', ...fields },
    };
  }
  if (!flags.token) fail("--offer needs --token (or POSTFLOW_POSTBACK_TOKEN): the offer's advertiser's postback token");
  if (flags.amount) fields.amount = flags.amount;
  if (flags.currency) fields.currency = flags.currency;
  if (flags.affiliate) return { offerId: flags.offer, affiliateId: flags.affiliate, token: flags.token, created: [], fields };
  if (!flags.key) fail('--offer needs --affiliate, or --key (or ADMIN_API_KEY) to create an affiliate');
  const affiliateId = await createAffiliate(base, flags.key, 'postflow loadgen');
  return { offerId: flags.offer, affiliateId, token: flags.token, created: [`affiliate ${affiliateId}`], fields };
}

const byCode = (counts: Record<string, number>, match: (code: number) => boolean) =>
  Object.fromEntries(Object.entries(counts).filter(([code]) => match(Number(code))));
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const brief = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, n]) => `${k}×${n}`)
    .join(' ') || 'none';

function progressLine(what: string, p: Progress): string {
  const w = p.window.count > 0 ? `; last interval p50 ${round(p.window.p50Ms)} ms, p99 ${round(p.window.p99Ms)} ms` : '';
  const errors = sum(p.errors) > 0 ? `; transport errors ${brief(p.errors)}` : '';
  return `${what} ${round(p.elapsedMs / 1000, 0)} s: sent ${p.issued}, answered ${p.completed} (${brief(p.statusCounts)})${errors}${w}`;
}

function summarise(r: PhaseResult) {
  return {
    sent: r.completed,
    elapsed_s: round(r.elapsedMs / 1000, 1),
    rate_per_s: round(r.completed / (r.elapsedMs / 1000)),
    status_counts: r.statusCounts,
    ok: { count: r.expected, by_result: r.tallies },
    client_errors: byCode(r.statusCounts, (c) => c >= 400 && c < 500),
    server_errors: byCode(r.statusCounts, (c) => c >= 500),
    other_statuses: byCode(r.statusCounts, (c) => c !== 200 && (c < 400 || c >= 600)),
    transport_errors: r.errors,
    latency_ms: {
      p50: r.latency.p50Ms,
      p90: r.latency.p90Ms,
      p99: r.latency.p99Ms,
      max: r.latency.maxMs,
      mean: r.latency.meanMs,
    },
    max_send_lag_ms: r.maxSendLagMs,
    example_bodies: r.unexpectedSamples,
  };
}

async function main(): Promise<void> {
  const { base, target, prefix } = parseUrl(flags.url);
  const setup = await resolveSetup(base);
  if (setup.created.length) say(`created ${setup.created.join(', ')}`);

  const wanted = Math.ceil(flags.rate * flags.duration);
  say(
    `creating ${wanted} clicks on offer ${setup.offerId} for affiliate ${setup.affiliateId} ` +
      `through ${base}/click (${flags['click-concurrency']} at a time)`,
  );
  const clicks = await createClicksOverHttp(target, prefix, setup, wanted, {
    concurrency: flags['click-concurrency'],
    progress: (p) => say(progressLine('clicks', p)),
  });
  const clickPhases = clicks.phases;
  const clickStatus: Record<string, number> = {};
  for (const p of clickPhases) for (const [code, n] of Object.entries(p.statusCounts)) clickStatus[code] = (clickStatus[code] ?? 0) + n;
  const lastClicks = clickPhases[clickPhases.length - 1];
  if (clicks.withoutId > 0)
    fail(
      `/click redirected to ${clicks.exampleLocation} with no click id in it: ` +
        "the offer's URL needs the {click_id} macro for postbacks to name the click",
    );
  if (clicks.clickIds.length < wanted) {
    const samples = Object.entries(lastClicks?.unexpectedSamples ?? {}).map(([code, bodies]) => `${code}: ${bodies[0]}`);
    fail(
      `created only ${clicks.clickIds.length} of ${wanted} clicks (answers ${brief(clickStatus)}` +
        `${lastClicks && sum(lastClicks.errors) ? `, transport errors ${brief(lastClicks.errors)}` : ''})` +
        `${samples.length ? `; e.g. ${samples.join('; ')}` : ''}`,
    );
  }
  say(`${clicks.clickIds.length} clicks created; sending postbacks at ${flags.rate}/s for ${flags.duration} s`);

  // txid unique per run, so a second run with the same clicks' offer never reads as a duplicate.
  const run = randomBytes(4).toString('hex');
  const spec = postbackSpec(
    setup.token,
    clicks.clickIds,
    { path: `${prefix}/postback`, headers: { 'content-type': 'application/json', 'x-postback-token': setup.token } },
    { txid: `lg-${run}-{seq}`, ...setup.fields },
  );
  const generator = new LoadGenerator(target, spec, flags.concurrency);
  const stop = new AbortController();
  process.once('SIGINT', () => {
    say('interrupted: no more postbacks; waiting for the ones in flight');
    stop.abort();
  });
  const result = await generator
    .run(
      {
        mode: 'open',
        concurrency: flags.concurrency,
        ratePerSec: flags.rate,
        durationMs: flags.duration * 1000,
        expectStatus: 200,
        timeoutMs: flags.timeout * 1000,
      },
      {
        signal: stop.signal,
        progress: { everyMs: flags.progress * 1000, report: (p) => say(progressLine('postbacks', p)) },
      },
    )
    .finally(() => generator.close());

  const summary = {
    url: base,
    offer_id: setup.offerId,
    affiliate_id: setup.affiliateId,
    requested: { rate_per_s: flags.rate, duration_s: flags.duration },
    stopped_early: stop.signal.aborted,
    clicks: {
      created: clicks.clickIds.length,
      rounds: clickPhases.length,
      status_counts: clickStatus,
      latency_ms: lastClicks && {
        p50: lastClicks.latency.p50Ms,
        p99: lastClicks.latency.p99Ms,
        max: lastClicks.latency.maxMs,
      },
    },
    postbacks: summarise(result),
  };
  const pb = summary.postbacks;
  if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    process.stdout.write(
      [
        `postbacks: ${pb.sent} sent in ${pb.elapsed_s} s ` +
          `(${pb.rate_per_s}/s of ${flags.rate}/s requested${summary.stopped_early ? ', stopped early' : ''})`,
        `  200: ${pb.ok.count} (by result: ${brief(pb.ok.by_result)})`,
        `  4xx: ${sum(pb.client_errors)} (${brief(pb.client_errors)})`,
        `  5xx: ${sum(pb.server_errors)} (${brief(pb.server_errors)})`,
        ...(sum(pb.other_statuses) ? [`  other statuses: ${brief(pb.other_statuses)}`] : []),
        `  transport errors: ${sum(pb.transport_errors)} (${brief(pb.transport_errors)})`,
        `  latency of the 200s, from the scheduled send: ` +
          `p50 ${pb.latency_ms.p50} ms, p99 ${pb.latency_ms.p99} ms, max ${pb.latency_ms.max} ms`,
        ...(pb.max_send_lag_ms !== undefined && pb.max_send_lag_ms > 50
          ? [
              `  the generator fell up to ${pb.max_send_lag_ms} ms behind its schedule (its own CPU): ` +
                'the latencies still count from the schedule',
            ]
          : []),
        ...Object.entries(pb.example_bodies).map(([code, bodies]) => `  e.g. ${code}: ${bodies[0]}`),
        `clicks: ${summary.clicks.created} created beforehand (${brief(clickStatus)}); ` +
          `p50 ${summary.clicks.latency_ms?.p50} ms, p99 ${summary.clicks.latency_ms?.p99} ms`,
        '',
      ].join('\n'),
    );
  }
  // For scripts and CI: any answer but 200, or none at all, is a failed run.
  process.exitCode = pb.ok.count === pb.sent && pb.sent > 0 ? 0 : 1;
}

main().catch((err: unknown) => {
  say(`failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
