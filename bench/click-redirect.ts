/**
 * GET /click against the real app (Mongo reads + insert per request) and, as the baseline, a
 * bare Koa app that answers the same 302 with no work. Run: npx tsx bench/click-redirect.ts
 */
import { createOfferSetup } from './lib/admin';
import { parseFlags } from './lib/args';
import { startBareKoa } from './lib/bare-koa';
import type { RequestSpec } from './lib/load';
import { log } from './lib/log';
import { machineFacts, versions } from './lib/machine';
import { runMain } from './lib/main';
import { describeCpu, measure, transportErrors, unexpectedCount, type Measurement, type MeasureOptions } from './lib/measure';
import { clickDetailsSchema } from './lib/report-schema';
import { writeReport } from './lib/results';
import { benchStorage, startBenchStack, storageFlag } from './lib/stack';
import { round } from './lib/stats';

const flags = parseFlags('npx tsx bench/click-redirect.ts [flags]', {
  storage: storageFlag,
  concurrency: { help: 'connections kept busy (closed loop)', default: 64 },
  duration: { help: 'measured seconds per target', default: 20 },
  warmup: { help: 'discarded seconds before each measurement', default: 3, min: 0 },
});

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineFacts();
  const stack = await startBenchStack({ storage: benchStorage(flags.storage), name: 'click', worker: false });
  try {
    const setup = await createOfferSetup(stack.baseUrl, stack.adminKey);
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

    log('postflow GET /click');
    const postflow = await measure(stack.api.port, spec, opts);
    const redirects = (postflow.warmup?.statusCounts['302'] ?? 0) + (postflow.measured.statusCounts['302'] ?? 0);
    const stored = await stack.models.Click.countDocuments();
    await stack.api.close(); // the baseline should not share the CPU with an idle-but-listening app

    log('baseline: bare Koa 302');
    const bare = await startBareKoa('https://shop.example/land?cid=clk_0123456789abcdef0123');
    const baseline = await measure(bare.port, spec, opts).finally(() => bare.close());

    const ratio = round(postflow.measured.expectedPerSec / baseline.measured.expectedPerSec, 3);
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
    const notes = [
      `Throughput ratio postflow / bare Koa: **${ratio}** (${round(ratio * 100, 1)} %).`,
      `Clicks stored in MongoDB: ${stored}; 302s answered (warm-up + measured): ${redirects}: ` +
        `${stored === redirects ? 'match' : '**MISMATCH**'}.`,
      `postflow: ${describeCpu(postflow.cpu)}.`,
      `baseline: ${describeCpu(baseline.cpu)}.`,
      ...([postflow, baseline].some((m) => (m.cpu?.foreignPct ?? 0) > 5)
        ? [
            '**Other processes used more than 5 % of the machine during a measurement: ' +
              'its figures are understated; rerun on a quiet machine.**',
          ]
        : []),
      ...(stack.appErrors.count > 0 ? [`The app logged ${stack.appErrors.count} errors; first: ${stack.appErrors.first[0]}`] : []),
      ...[postflow, baseline].flatMap((m) =>
        Object.entries(m.measured.unexpectedSamples).map(([status, bodies]) => `Unexpected ${status}, e.g. ${bodies[0]}`),
      ),
    ];
    const { json, markdown } = writeReport(
      {
        name: 'click-redirect',
        title: 'GET /click vs bare Koa 302',
        startedAt,
        command: `npx tsx bench/click-redirect.ts ${process.argv.slice(2).join(' ')}`.trim(),
        settings: { storage: flags.storage, concurrency: flags.concurrency, duration_s: flags.duration, warmup_s: flags.warmup },
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
          rows: [row('postflow GET /click', postflow), row('bare Koa 302 (baseline)', baseline)],
        },
        notes,
        machine,
        versions: versions(process.env),
        infrastructure: stack.infra.summary,
        details: { postflow, baseline, clicksStored: stored, redirects, ratio, appErrors: stack.appErrors },
      },
      clickDetailsSchema,
    );
    process.stdout.write(`${notes.join('\n')}\nwrote ${json}\nwrote ${markdown}\n`);
  } finally {
    await stack.stop();
  }
}

if (require.main === module) runMain(main);
