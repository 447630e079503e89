/**
 * The whole pipeline at steady rates, as production runs it: advertiser postbacks (open loop) to
 * the API process, conversion and delivery workflows in a separate worker process, each approved
 * conversion delivered to the affiliate's endpoint (a receiver in its own process). Per rate:
 * completed conversions/s, 200 → affiliate receipt latency, a zero-loss check, CPU and peak RSS
 * of the API and the worker; and, on the same Temporal server in the same run, an empty workflow
 * and a one-no-op-activity workflow at the same rate, as the baseline our throughput is a ratio of.
 * Run: npx tsx bench/end-to-end.ts [--rates 10,20,40] [--duration 60]
 */
import { parseFlags } from './lib/args';
import { startBaselineWorker, type BaselineWorker } from './lib/baseline';
import { fmtLatency } from './lib/deliveries';
import {
  API,
  BASELINE_WORKER,
  BENCH,
  cpuS,
  measureBaseline,
  measurePostflow,
  pctOfCore,
  perItemMs,
  ratio,
  shown,
  TEMPORAL,
  WORKER,
  type BaselineRun,
  type LoadShape,
  type RateRun,
} from './lib/end-to-end-run';
import { log } from './lib/log';
import { machineFacts, versions } from './lib/machine';
import { runMain } from './lib/main';
import { describeCpu, transportErrors, unexpectedCount } from './lib/measure';
import { endToEndDetailsSchema } from './lib/report-schema';
import { writeReport } from './lib/results';
import { benchClient, benchStorage, startInfra, storageFlag } from './lib/stack';
import { round } from './lib/stats';

const flags = parseFlags('npx tsx bench/end-to-end.ts [flags]', {
  storage: storageFlag,
  rates: {
    type: 'numbers',
    help: 'postbacks (and baseline workflows) per second, one measurement each, open loop',
    default: [10, 20, 40],
  },
  duration: { help: 'measured seconds per rate and target', default: 60 },
  warmup: { help: 'discarded seconds before each measurement (its work is awaited first)', default: 3, min: 0 },
  concurrency: {
    help: 'connection cap of the postback load generator (more requests wait in the client)',
    default: 64,
  },
  'drain-timeout': {
    help: 'seconds to wait, after a load, for its last conversion (or baseline workflow) to complete',
    default: 1800,
  },
  'skip-baseline': { type: 'boolean', help: 'measure postflow only (no baseline, no ratios)' },
});

const deadlineMs = flags['drain-timeout'] * 1000;
const load: LoadShape = { warmupS: flags.warmup, durationS: flags.duration, concurrency: flags.concurrency, deadlineMs };

function headlineRow(run: RateRun): Array<string | number> {
  const p = run.postflow;
  const r = p.measurement.measured;
  const lat = (b: BaselineRun | undefined) => (b ? `${b.phase.resultLatency.p50Ms} / ${b.phase.resultLatency.p99Ms}` : 'n/a');
  const allFinal =
    p.accepted -
    new Set([...p.loss.notDelivered, ...p.loss.notApproved.map(([id]) => id), ...p.loss.deliveryNotSucceeded.map(([id]) => id)]).size;
  return [
    run.rate,
    round(p.accepted / (r.elapsedMs / 1000)),
    p.rx.deliveriesPerSecEndToEnd,
    shown(run.empty?.phase.completedPerSec),
    shown(run.single?.phase.completedPerSec),
    shown(ratio(p, run.empty)),
    shown(ratio(p, run.single)),
    p.rx.latency.p50Ms,
    p.rx.latency.p99Ms,
    lat(run.empty),
    lat(run.single),
    `${allFinal} / ${p.accepted}${p.loss.zeroLoss ? '' : ' **LOSS**'}`,
    p.rx.drainS,
    p.cpu.load ? `${p.cpu.load.machineBusyPct} / ${p.cpu.load.foreignPct}` : 'n/a',
  ];
}

function resourceRow(run: RateRun): Array<string | number> {
  const p = run.postflow;
  const phases = [p.cpu.load, p.cpu.drain];
  const done = p.rx.delivered;
  const base = (b: BaselineRun | undefined, f: (b: BaselineRun) => number | string) => (b ? f(b) : 'n/a');
  const pair = (f: (b: BaselineRun) => number | string) =>
    run.empty || run.single ? `${base(run.empty, f)} / ${base(run.single, f)}` : 'n/a';
  return [
    run.rate,
    pctOfCore(cpuS(phases, API), p.cpu.windowMs),
    shown(p.memory[API]?.peakRssMiB),
    pctOfCore(cpuS(phases, WORKER), p.cpu.windowMs),
    shown(p.memory[WORKER]?.peakRssMiB),
    perItemMs(cpuS(phases, API, WORKER), done),
    perItemMs(cpuS(phases, TEMPORAL), done),
    pair((b) => pctOfCore(cpuS([b.cpu], BASELINE_WORKER), b.phase.windowMs)),
    pair((b) => shown(b.memory.peakRssMiB)),
    pair((b) => perItemMs(cpuS([b.cpu], BENCH, BASELINE_WORKER), b.phase.completed)),
    pair((b) => perItemMs(cpuS([b.cpu], TEMPORAL), b.phase.completed)),
  ];
}

function notesFor(run: RateRun): string[] {
  const p = run.postflow;
  const r = p.measurement.measured;
  const st = p.breakdown.stages;
  const l = p.loss;
  const list = (xs: Array<string | [string, string]>) =>
    xs
      .slice(0, 5)
      .map((x) => (Array.isArray(x) ? `${x[0]} (${x[1]})` : x))
      .join(', ');
  const baselineNote = (name: string, b: BaselineRun | undefined) =>
    b
      ? `${name}: ${b.phase.completed} of ${b.phase.started} started completed, **${b.phase.completedPerSec}/s** ` +
        `(last ${b.phase.drainS} s after the starts ended); start acknowledged ${fmtLatency(b.phase.startLatency)}; ` +
        `start → result ${fmtLatency(b.phase.resultLatency)}` +
        `${b.phase.unfinished ? `; **${b.phase.unfinished} unfinished** at the deadline` : ''}` +
        `${Object.keys(b.phase.failed).length ? `; failed: ${JSON.stringify(b.phase.failed)}` : ''}. ${describeCpu(b.cpu)}.`
      : '';
  const odd = Object.entries(p.processOutput).filter(([, o]) => o.count > 0);
  return [
    `**${run.rate}/s** — ${l.zeroLoss ? '**Zero loss**' : '**LOSS**'}: of ${p.accepted} accepted conversions, ` +
      `${p.rx.delivered} reached the receiver, ${p.accepted - l.notApproved.length} are approved, ` +
      `${p.accepted - l.deliveryNotSucceeded.length} have a succeeded delivery` +
      `${l.notDelivered.length ? `; not delivered: ${list(l.notDelivered)}` : ''}` +
      `${l.notApproved.length ? `; not approved: ${list(l.notApproved)}` : ''}` +
      `${l.deliveryNotSucceeded.length ? `; delivery not succeeded: ${list(l.deliveryNotSucceeded)}` : ''} ` +
      `(full lists in the JSON). Duplicates: ${p.rx.duplicates}. ` +
      `Postbacks answered other than 200: ${unexpectedCount(r, 200)}, transport errors: ${transportErrors(r)}.`,
    `${run.rate}/s — postflow: ${p.rx.delivered} conversions completed in ${round(p.rx.endToEndS, 1)} s ` +
      `= **${p.rx.deliveriesPerSecEndToEnd}/s** ` +
      `(${p.rx.deliveriesPerSecDuringLoad}/s arrived during the load, the last ${p.rx.drainS} s after it); ` +
      `200 → receipt ${fmtLatency(p.rx.latency)}; ` +
      `postback answered p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms (from its scheduled send). ` +
      `Stages: accept → decision ${fmtLatency(st.acceptToDecision)}; → planned ${fmtLatency(st.decisionToPlanned)}; ` +
      `→ attempt 1 sent ${fmtLatency(st.plannedToSent)}; sent → received ${fmtLatency(st.sentToReceived)}.`,
    `${run.rate}/s — postflow CPU during the load: ${describeCpu(p.cpu.load)}. ` +
      `Until the last delivery arrived: ${describeCpu(p.cpu.drain)}.`,
    ...(run.empty
      ? [
          `${run.rate}/s — ${baselineNote('empty workflow', run.empty)}`,
          `${run.rate}/s — ${baselineNote('one no-op activity', run.single)}`,
        ]
      : []),
    ...([p.cpu.load, p.cpu.drain, run.empty?.cpu, run.single?.cpu].some((c) => (c?.foreignPct ?? 0) > 5)
      ? [
          `**${run.rate}/s: other processes used more than 5 % of the machine during a measurement: ` +
            'the figures are understated; rerun on a quiet machine.**',
        ]
      : []),
    ...(r.maxSendLagMs !== undefined && r.maxSendLagMs > 50
      ? [
          `${run.rate}/s: the postback generator sent up to ${r.maxSendLagMs} ms late (CPU contention); ` +
            'latencies count from the scheduled time.',
        ]
      : []),
    ...(r.exhausted ? [`**${run.rate}/s: the run ran out of clicks** after ${r.completed} postbacks.`] : []),
    ...odd.map(([name, o]) => `${run.rate}/s: the ${name} process printed ${o.count} unexpected lines; first: ${o.first[0]}`),
    ...Object.entries(r.unexpectedSamples).map(([status, bodies]) => `${run.rate}/s: unexpected ${status}, e.g. ${bodies[0]}`),
  ];
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineFacts();
  const env = await startInfra('e2e', benchStorage(flags.storage));
  try {
    const client = await benchClient(env);
    let baseline: BaselineWorker | undefined;
    if (!flags['skip-baseline']) {
      const worker = await startBaselineWorker({ infra: env.infra, runDir: env.runDir, client });
      env.cleanups.push(() => worker.proc.stop());
      baseline = worker;
    }

    const runs: RateRun[] = [];
    for (const rate of flags.rates) {
      log(`=== ${rate}/s`);
      // The baselines first, adjacent in time to postflow's run at the same rate, on the same server.
      const empty = baseline && (await measureBaseline(load, client, baseline, 'emptyWorkflow', rate));
      const single = baseline && (await measureBaseline(load, client, baseline, 'singleActivityWorkflow', rate));
      // The idle baseline worker still polls: named, so its CPU is not mistaken for another process's.
      const idle = baseline?.proc.pid ? { [baseline.proc.pid]: `${BASELINE_WORKER} (idle)` } : {};
      runs.push({ rate, empty, single, postflow: await measurePostflow(load, env, client, rate, idle) });
    }
    const baselineOutput = baseline?.proc.unexpectedOutput();

    const notes = [
      "Completed conversions/s = conversions delivered to the affiliate / (load start → the last one's arrival); " +
        "a baseline's completed/s likewise (load start → its last result). " +
        'Ratio = postflow ÷ baseline: near 1 while both keep up with the offered rate, ' +
        "and the share of the baseline's throughput postflow keeps when they do not.",
      "200 → receipt counts from the end of the advertiser's 200 (the start is durable) to the affiliate's receipt; " +
        "a baseline's start → result counts from its scheduled start, " +
        "so it includes what the postback's own latency is for postflow (shown in the notes).",
      ...runs.flatMap(notesFor),
      ...(baselineOutput && baselineOutput.count > 0
        ? [`The baseline worker printed ${baselineOutput.count} unexpected lines; first: ${baselineOutput.first[0]}`]
        : []),
    ];
    const { json, markdown } = writeReport(
      {
        name: 'end-to-end',
        title: `End to end (postback → affiliate receipt) at ${flags.rates.join(', ')}/s, with a Temporal baseline`,
        startedAt,
        command: `npx tsx bench/end-to-end.ts ${process.argv.slice(2).join(' ')}`.trim(),
        settings: {
          storage: flags.storage,
          rates_per_s: flags.rates.join(','),
          duration_s: flags.duration,
          warmup_s: flags.warmup,
          concurrency: flags.concurrency,
          drain_timeout_s: flags['drain-timeout'],
          processes:
            'api/server.ts and worker/main.ts as separate processes (NODE_ENV=production, LOG_LEVEL=info, worker metrics exporter on, ' +
            'rate limits far above the load, loopback deliveries allowed), fresh database and task queue per rate',
          baseline: baseline ? 'bench/baseline/worker.ts in its own process, one task queue, the same Temporal server' : 'skipped',
        },
        headline: {
          columns: [
            'postbacks/s (offered)',
            'accepted/s',
            'completed conversions/s',
            'empty workflow/s',
            '1-activity workflow/s',
            'ratio vs empty',
            'ratio vs 1-activity',
            '200 → receipt p50 ms',
            'p99 ms',
            'empty start → result p50 / p99 ms',
            '1-activity p50 / p99 ms',
            'final & delivered / accepted',
            'drain s',
            'CPU busy % / other procs % (load)',
          ],
          rows: runs.map(headlineRow),
        },
        tables: [
          {
            title:
              'Resources (CPU % of one core over load start → last completion; peak RSS sampled during the traffic; ' +
              'baseline cells: empty / 1-activity)',
            columns: [
              'postbacks/s',
              'API CPU %',
              'API peak RSS MiB',
              'worker CPU %',
              'worker peak RSS MiB',
              'postflow CPU ms / conversion (API + worker)',
              'Temporal CPU ms / conversion',
              'baseline worker CPU %',
              'baseline worker peak RSS MiB',
              'baseline CPU ms / workflow (client + worker)',
              'Temporal CPU ms / workflow',
            ],
            rows: runs.map(resourceRow),
          },
        ],
        notes,
        machine,
        versions: versions(process.env),
        infrastructure: env.infra.summary,
        details: { runs, baselineOutput },
      },
      endToEndDetailsSchema,
    );
    process.stdout.write(`${notes.join('\n')}\nwrote ${json}\nwrote ${markdown}\n`);
  } finally {
    await env.stop();
  }
}

if (require.main === module) runMain(main);
