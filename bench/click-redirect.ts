/**
 * GET /click as `npm start` runs it (the API in its own production process, the embedded MongoDB
 * on a file) and, as the baseline, a bare Koa app that answers the same 302 with no work. A second
 * postflow measurement clicks an offer with caps and a trafficback target: the click-time checks
 * (README "Trafficback") against the same offer path without them, in the same run.
 * Run: npx tsx bench/click-redirect.ts [--storage memory] [--in-process]
 */
import { createOfferSetup } from './lib/admin';
import { adminOverHttp } from '../system/seed';
import { parseFlags } from './lib/args';
import { startBareKoa } from './lib/bare-koa';
import type { RequestSpec } from './lib/load';
import { log } from './lib/log';
import { machineFacts, versions } from './lib/machine';
import { runMain } from './lib/main';
import { describeCpu, measure, transportErrors, unexpectedCount, type Measurement, type MeasureOptions } from './lib/measure';
import { clickDetailsSchema } from './lib/report-schema';
import { writeReport } from './lib/results';
import { startApiProcess } from './lib/processes';
import { BENCH_SETTINGS, benchStorage, startBenchStack, startInfra, storageFlag } from './lib/stack';
import { round } from './lib/stats';

const flags = parseFlags('npx tsx bench/click-redirect.ts [flags]', {
  storage: storageFlag,
  concurrency: { help: 'connections kept busy (closed loop)', default: 64 },
  duration: { help: 'measured seconds per target', default: 20 },
  warmup: { help: 'discarded seconds before each measurement', default: 3, min: 0 },
  'in-process': { help: 'the API in this process (no production environment), as the integration tests run it', type: 'boolean' },
});
const storage = benchStorage(flags.storage);

/** The API under test, either way: where it listens, the run's click count, what it logged that it should not have. */
interface ClickTarget {
  port: number;
  baseUrl: string;
  adminKey: string;
  how: string;
  infrastructure: string[];
  countClicks(): Promise<number>;
  /** Stops the API (not the servers), so the baseline does not share the CPU with an idle app. */
  closeApi(): Promise<void>;
  appErrors(): { count: number; first: string[] };
  stop(): Promise<void>;
}

async function startTarget(): Promise<ClickTarget> {
  if (flags['in-process']) {
    const stack = await startBenchStack({ name: 'click', worker: false, storage });
    return {
      port: stack.api.port,
      baseUrl: stack.baseUrl,
      adminKey: stack.adminKey,
      how: 'API in the bench process',
      infrastructure: stack.infra.summary,
      countClicks: () => stack.models.Click.countDocuments(),
      closeApi: () => stack.api.close(),
      appErrors: () => stack.appErrors,
      stop: () => stack.stop(),
    };
  }
  const infra = await startInfra('click', storage);
  try {
    const proc = await startApiProcess({ infra: infra.infra, runDir: infra.runDir, name: 'click' });
    infra.cleanups.push(() => proc.stop());
    let errors = { count: 0, first: [] as string[] };
    return {
      port: proc.port,
      baseUrl: proc.baseUrl,
      adminKey: proc.adminKey,
      how: `API as its own process (api/server.ts, NODE_ENV=production, LOG_LEVEL=info, pid ${proc.api.pid})`,
      infrastructure: infra.infra.summary,
      countClicks: () => proc.models.Click.countDocuments(),
      closeApi: async () => {
        await proc.api.stop();
        errors = proc.api.unexpectedOutput(); // read after stopping, so its last lines are in
      },
      appErrors: () => errors,
      stop: () => infra.stop(),
    };
  } catch (err) {
    await infra.stop();
    throw err;
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineFacts();
  const target = await startTarget();
  try {
    log(`postflow: ${target.how}; ${target.infrastructure.join('; ')}`);
    const setup = await createOfferSetup(target.baseUrl, target.adminKey);
    const opts: MeasureOptions = {
      mode: 'closed',
      concurrency: flags.concurrency,
      warmupS: flags.warmup,
      durationS: flags.duration,
      expectStatus: 302,
    };
    // {seq} makes every click's sub1 different, as real traffic's would be; the user agent and
    // forwarded IP are stored with each click, so they are part of the work.
    const spec: RequestSpec = {
      method: 'GET',
      path: `/click?offer_id=${setup.offerId}&aff_id=${setup.affiliateId}&sub1=s{seq}`,
      headers: { 'user-agent': 'Mozilla/5.0 (postflow-bench)', 'x-forwarded-for': '198.51.100.7' },
    };

    // The same advertiser's offer with two caps (never full) and a trafficback target: every click
    // reads the cap state (cached; a counter is re-read once a second) and follows no chain.
    const capped = await adminOverHttp(target.baseUrl, target.adminKey)('/api/offers', {
      advertiser_id: setup.advertiserId,
      name: 'Bench Offer (capped)',
      url: 'https://shop.example/land?cid={click_id}&s1={sub1}',
      currency: 'USD',
      default_goal: 'sale',
      goals: [{ key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' } }],
      caps: [
        { metric: 'conversions', period: 'day', limit: '1000000000', per_affiliate: true, timezone: 'America/New_York' },
        { metric: 'payout', period: 'month', limit: '100000000.00' },
      ],
      trafficback: { target: { type: 'url', url: 'https://fallback.example/?r={reason}' } },
    });
    const cappedSpec: RequestSpec = { ...spec, path: `/click?offer_id=${capped.id}&aff_id=${setup.affiliateId}&sub1=s{seq}` };

    log('postflow GET /click');
    const postflow = await measure(target.port, spec, opts);
    log('postflow GET /click, offer with caps and a trafficback target');
    const withChecks = await measure(target.port, cappedSpec, opts);
    const redirects = [postflow, withChecks].reduce(
      (sum, m) => sum + (m.warmup?.statusCounts['302'] ?? 0) + (m.measured.statusCounts['302'] ?? 0),
      0,
    );
    const stored = await target.countClicks();
    await target.closeApi(); // the baseline should not share the CPU with an idle-but-listening app
    const appErrors = target.appErrors();

    log('baseline: bare Koa 302');
    const bare = await startBareKoa('https://shop.example/land?cid=clk_0123456789abcdef0123');
    const baseline = await measure(bare.port, spec, opts).finally(() => bare.close());

    const ratio = round(postflow.measured.expectedPerSec / baseline.measured.expectedPerSec, 3);
    const checksRatio = round(withChecks.measured.expectedPerSec / postflow.measured.expectedPerSec, 3);
    const row = (label: string, { measured: r, cpu }: Measurement) => [
      label,
      r.expectedPerSec,
      r.latency.p50Ms,
      r.latency.p99Ms,
      r.latency.maxMs,
      r.expected,
      unexpectedCount(r, 302),
      transportErrors(r),
      cpu ? `${cpu.machineBusyPct} / ${cpu.foreignPct}` : 'n/a',
    ];
    // Load-robust: CPU time per answered request does not shrink when the machine is shared
    // (throughput does), so before/after comparisons use it.
    const perRequest = (m: Measurement) =>
      m.cpu
        ? Object.entries(m.cpu.oursCpuS)
            .filter(([, s]) => s > 0)
            .sort((a, b) => b[1] - a[1])
            .map(([label, s]) => `${label} ${round((s * 1e6) / Math.max(1, m.measured.expected), 1)} µs`)
            .join(', ')
        : 'n/a';
    const notes = [
      `Throughput ratio postflow / bare Koa: **${ratio}** (${round(ratio * 100, 1)} %).`,
      `Click-time checks (caps and trafficback), capped offer / plain offer: **${checksRatio}** ` +
        `(${round((1 - checksRatio) * 100, 1)} % fewer clicks per second).`,
      `postflow: ${target.how}; MongoDB: ${target.infrastructure.find((l) => l.startsWith('mongodb')) ?? '?'}.`,
      `The per-IP limit runs at ${BENCH_SETTINGS.RATE_LIMIT_PER_IP}/s, far above the load: one load generator stands for many browsers.`,
      `Clicks stored in MongoDB: ${stored}; 302s answered (warm-up + measured): ${redirects}: ` +
        `${stored === redirects ? 'match' : '**MISMATCH**'}.`,
      `postflow: ${describeCpu(postflow.cpu)}.`,
      `baseline: ${describeCpu(baseline.cpu)}.`,
      `CPU per 302, postflow: ${perRequest(postflow)} ("node" is the API process).`,
      `CPU per 302, postflow on the capped offer: ${perRequest(withChecks)}.`,
      `CPU per 302, baseline: ${perRequest(baseline)}.`,
      ...([postflow, withChecks, baseline].some((m) => (m.cpu?.foreignPct ?? 0) > 5)
        ? [
            '**Other processes used more than 5 % of the machine during a measurement: ' +
              'its figures are understated; rerun on a quiet machine.**',
          ]
        : []),
      ...(appErrors.count > 0 ? [`The app logged ${appErrors.count} errors; first: ${appErrors.first[0]}`] : []),
      ...[postflow, withChecks, baseline].flatMap((m) =>
        Object.entries(m.measured.unexpectedSamples).map(([status, bodies]) => `Unexpected ${status}, e.g. ${bodies[0]}`),
      ),
    ];
    const { json, markdown } = writeReport(
      {
        name: 'click-redirect',
        title: 'GET /click vs bare Koa 302',
        startedAt,
        command: `npx tsx bench/click-redirect.ts ${process.argv.slice(2).join(' ')}`.trim(),
        settings: {
          concurrency: flags.concurrency,
          duration_s: flags.duration,
          warmup_s: flags.warmup,
          storage,
          in_process: flags['in-process'],
        },
        headline: {
          columns: [
            'target',
            'requests/s',
            'p50 ms',
            'p99 ms',
            'max ms',
            '302s',
            'non-302',
            'transport errors',
            'CPU busy % / other procs %',
          ],
          rows: [
            row('postflow GET /click', postflow),
            row('postflow GET /click, capped offer with trafficback', withChecks),
            row('bare Koa 302 (baseline)', baseline),
          ],
        },
        notes,
        machine,
        versions: versions(process.env),
        infrastructure: target.infrastructure,
        details: { postflow, withChecks, baseline, clicksStored: stored, redirects, ratio, checksRatio, appErrors },
      },
      clickDetailsSchema,
    );
    process.stdout.write(`${notes.join('\n')}\nwrote ${json}\nwrote ${markdown}\n`);
  } finally {
    await target.stop();
  }
}

if (require.main === module) runMain(main);
