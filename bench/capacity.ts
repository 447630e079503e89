/**
 * Capacities, not rates that both sides keep up with: for the empty workflow, the one-activity
 * workflow and postflow (postback → affiliate receipt, as `npm start` runs it), the highest steady
 * rate on a ladder that completes with zero loss and p99 under the limit, found by stepping the
 * rate up until a step fails, all on one Temporal server in one run. Then postflow once more at
 * half its capacity: the advertiser's p99 to the 200 while the workflows drain behind it.
 * Run: npx tsx bench/capacity.ts [--ladder 5,10,20,40,80] [--duration 20]
 */
import { parseFlags } from './lib/args';
import { startBaselineWorker, type BaselineWorker } from './lib/baseline';
import {
  API,
  BENCH,
  cpuS,
  measureBaseline,
  measurePostflow,
  pctOfCore,
  perItemMs,
  shown,
  TEMPORAL,
  WORKER,
  type BaselineRun,
  type LoadShape,
  type PostflowRun,
} from './lib/end-to-end-run';
import { log } from './lib/log';
import { machineFacts, versions } from './lib/machine';
import { runMain } from './lib/main';
import { describeCpu } from './lib/measure';
import { capacityDetailsSchema } from './lib/report-schema';
import { writeReport } from './lib/results';
import { benchClient, benchStorage, startInfra, storageFlag } from './lib/stack';
import { round } from './lib/stats';
import { temporalProfile } from '../scripts/infra/provision';

const flags = parseFlags('npx tsx bench/capacity.ts [flags]', {
  storage: storageFlag,
  ladder: {
    type: 'numbers',
    help: 'rates to step through, lowest first; a target stops at its first failing rate',
    default: [5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200],
  },
  duration: { help: 'measured seconds per step', default: 20 },
  warmup: { help: 'discarded seconds before each step (its work is awaited first)', default: 3, min: 0 },
  concurrency: { help: 'connection cap of the postback load generator', default: 64 },
  'p99-limit': { help: 'a step keeps up when its p99 (200 → receipt; baseline: start → result) stays under this many ms', default: 2000 },
  'drain-timeout': { help: 'seconds to wait, after a step, for its last conversion or workflow', default: 600 },
  targets: { type: 'string', help: 'which of empty,single,postflow to measure', default: 'empty,single,postflow' },
  'skip-half': { type: 'boolean', help: 'no extra postflow run at half its capacity' },
});

const TARGETS = ['empty', 'single', 'postflow'] as const;
type Target = (typeof TARGETS)[number];
const TARGET_NAMES: Record<Target, string> = { empty: 'empty workflow', single: '1-activity workflow', postflow: 'postflow' };

const load: LoadShape = {
  warmupS: flags.warmup,
  durationS: flags.duration,
  concurrency: flags.concurrency,
  deadlineMs: flags['drain-timeout'] * 1000,
};
const limitMs = flags['p99-limit'];

interface Step {
  rate: number;
  keptUp: boolean;
  /** Why the step failed, in words; empty when it kept up. */
  why: string;
  completedPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  baseline?: BaselineRun;
  postflow?: PostflowRun;
}

function judgeBaseline(rate: number, run: BaselineRun): Step {
  const p = run.phase;
  const problems = [
    ...(p.unfinished > 0 ? [`${p.unfinished} unfinished`] : []),
    ...(Object.keys(p.failed).length > 0 ? [`failed: ${JSON.stringify(p.failed)}`] : []),
    ...(p.completed < p.started ? [`${p.started - p.completed} of ${p.started} not completed`] : []),
    ...((p.resultLatency.p99Ms ?? Infinity) >= limitMs ? [`p99 ${p.resultLatency.p99Ms} ms ≥ ${limitMs} ms`] : []),
  ];
  return {
    rate,
    keptUp: problems.length === 0 && p.started > 0,
    why: problems.join('; '),
    completedPerSec: p.completedPerSec,
    p50Ms: p.resultLatency.p50Ms,
    p99Ms: p.resultLatency.p99Ms,
    baseline: run,
  };
}

function judgePostflow(rate: number, run: PostflowRun): Step {
  const l = run.loss;
  const problems = [
    ...(l.zeroLoss ? [] : [`loss: ${l.notDelivered.length} not delivered, ${l.notApproved.length} not approved`]),
    ...((run.rx.latency.p99Ms ?? Infinity) >= limitMs ? [`p99 ${run.rx.latency.p99Ms} ms ≥ ${limitMs} ms`] : []),
  ];
  return {
    rate,
    keptUp: problems.length === 0,
    why: problems.join('; '),
    completedPerSec: run.rx.deliveriesPerSecEndToEnd,
    p50Ms: run.rx.latency.p50Ms,
    p99Ms: run.rx.latency.p99Ms,
    postflow: run,
  };
}

/** Steps up the ladder until a step fails: the capacity is the last rate that kept up. */
async function climb(target: Target, measureAt: (rate: number) => Promise<Step>): Promise<{ capacity: number | null; steps: Step[] }> {
  const steps: Step[] = [];
  for (const rate of flags.ladder) {
    log(`=== ${TARGET_NAMES[target]} at ${rate}/s`);
    const step = await measureAt(rate);
    steps.push(step);
    log(`    ${step.keptUp ? 'kept up' : `did not keep up: ${step.why}`} (${step.completedPerSec}/s, p99 ${step.p99Ms} ms)`);
    if (!step.keptUp) break;
  }
  const passed = steps.filter((s) => s.keptUp);
  return { capacity: passed.length > 0 ? passed[passed.length - 1]!.rate : null, steps };
}

/** CPU and memory of postflow's processes over one run, per completed conversion. */
function resources(label: string, rate: number, p: PostflowRun): Array<string | number | null> {
  const phases = [p.cpu.load, p.cpu.drain];
  const r = p.measurement.measured;
  return [
    label,
    rate,
    r.latency.p50Ms,
    r.latency.p99Ms,
    p.rx.latency.p99Ms,
    pctOfCore(cpuS(phases, API), p.cpu.windowMs),
    shown(p.memory[API]?.peakRssMiB),
    pctOfCore(cpuS(phases, WORKER), p.cpu.windowMs),
    shown(p.memory[WORKER]?.peakRssMiB),
    perItemMs(cpuS(phases, API), p.rx.delivered),
    perItemMs(cpuS(phases, WORKER), p.rx.delivered),
    perItemMs(cpuS(phases, TEMPORAL), p.rx.delivered),
    perItemMs(cpuS(phases, 'mongo-java-server'), p.rx.delivered),
  ];
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineFacts();
  const targets = flags.targets.split(',').map((t) => t.trim());
  const unknown = targets.filter((t) => !(TARGETS as readonly string[]).includes(t));
  if (unknown.length > 0 || targets.length === 0) {
    process.stderr.write(`--targets takes a comma-separated list of ${TARGETS.join(', ')} (got "${flags.targets}")\n`);
    process.exit(2);
  }
  const env = await startInfra('capacity', benchStorage(flags.storage));
  try {
    const client = await benchClient(env);
    let baseline: BaselineWorker | undefined;
    if (targets.includes('empty') || targets.includes('single')) {
      baseline = await startBaselineWorker({ infra: env.infra, runDir: env.runDir, client });
      const worker = baseline;
      env.cleanups.push(() => worker.proc.stop());
    }
    // The idle baseline worker still polls: named, so its CPU is not mistaken for another process's.
    const idle: Record<number, string> = baseline?.proc.pid ? { [baseline.proc.pid]: 'baseline worker (idle)' } : {};

    const results: Partial<Record<Target, { capacity: number | null; steps: Step[] }>> = {};
    for (const target of TARGETS.filter((t) => targets.includes(t))) {
      results[target] =
        target === 'postflow'
          ? await climb(target, async (rate) => judgePostflow(rate, await measurePostflow(load, env, client, rate, idle)))
          : await climb(target, async (rate) =>
              judgeBaseline(
                rate,
                await measureBaseline(load, client, baseline!, target === 'empty' ? 'emptyWorkflow' : 'singleActivityWorkflow', rate),
              ),
            );
    }

    const postflowCapacity = results.postflow?.capacity ?? null;
    let half: { rate: number; run: PostflowRun } | undefined;
    if (postflowCapacity !== null && !flags['skip-half']) {
      const rate = Math.max(1, Math.round(postflowCapacity / 2));
      log(`=== postflow at half its capacity: ${rate}/s`);
      half = { rate, run: await measurePostflow(load, env, client, rate, idle) };
    }

    const ratioTo = (base: Target) => {
      const b = results[base]?.capacity;
      return postflowCapacity !== null && b ? round(postflowCapacity / b, 3) : null;
    };
    const lastRate = flags.ladder[flags.ladder.length - 1]!;
    const headlineRows = TARGETS.filter((t) => results[t]).map((t) => {
      const { capacity, steps } = results[t]!;
      const failed = steps.find((s) => !s.keptUp);
      const atCapacity = steps.find((s) => s.rate === capacity);
      return [
        TARGET_NAMES[t],
        capacity === null ? `below ${flags.ladder[0]}` : failed ? capacity : `≥ ${capacity} (ladder ends at ${lastRate})`,
        atCapacity?.p99Ms ?? null,
        failed ? failed.rate : null,
        failed ? failed.why : 'kept up on every step',
      ];
    });
    const stepRows = TARGETS.flatMap((t) =>
      (results[t]?.steps ?? []).map((s) => [
        TARGET_NAMES[t],
        s.rate,
        s.completedPerSec,
        s.p50Ms,
        s.p99Ms,
        s.keptUp ? 'yes' : `no: ${s.why}`,
      ]),
    );
    const pf = results.postflow;
    const atCapacity = pf?.steps.find((s) => s.rate === postflowCapacity)?.postflow;
    const resourceRows = [
      ...(atCapacity ? [resources('at capacity', postflowCapacity!, atCapacity)] : []),
      ...(half ? [resources('at half capacity', half.rate, half.run)] : []),
    ];

    const notes = [
      `Capacity = the highest rate on the ladder (${flags.ladder.join(', ')}/s) at which a ${flags.duration} s steady load ` +
        `completed with zero loss and p99 under ${limitMs} ms (postflow: advertiser's 200 → affiliate's receipt, ` +
        'every conversion approved with a succeeded delivery; baselines: scheduled start → result, every workflow completed). ' +
        'Each target climbs until its first failing step; the real capacity lies between the last passing and the first failing rate.',
      `postflow ÷ empty workflow: **${shown(ratioTo('empty') ?? undefined)}**; ` +
        `postflow ÷ 1-activity workflow: **${shown(ratioTo('single') ?? undefined)}**.`,
      ...(half
        ? [
            `Ingress at half capacity (${half.rate}/s): the advertiser's 200 p50 ${half.run.measurement.measured.latency.p50Ms} ms, ` +
              `**p99 ${half.run.measurement.measured.latency.p99Ms} ms** (from the scheduled send), while the workflows drain behind it. ` +
              `CPU: ${describeCpu(half.run.cpu.load)}.`,
          ]
        : []),
      ...(atCapacity ? [`postflow at capacity (${postflowCapacity}/s), during the load: ${describeCpu(atCapacity.cpu.load)}.`] : []),
      ...TARGETS.flatMap((t) =>
        (results[t]?.steps ?? [])
          .map((s) => s.baseline?.cpu ?? s.postflow?.cpu.load)
          .filter((c) => (c?.foreignPct ?? 0) > 5)
          .slice(0, 1)
          .map(() => `**${TARGET_NAMES[t]}: other processes used more than 5 % of the machine during a step; rerun on a quiet machine.**`),
      ),
    ];
    const { json, markdown } = writeReport(
      {
        name: 'capacity',
        title: 'Capacity: postflow end to end vs the empty and one-activity workflows on the same Temporal server',
        startedAt,
        command: `npx tsx bench/capacity.ts ${process.argv.slice(2).join(' ')}`.trim(),
        settings: {
          storage: flags.storage,
          // POSTFLOW_TEMPORAL: the dev server or the four-service cluster on PostgreSQL (a TEMPORAL_ADDRESS overrides both).
          temporal: process.env.TEMPORAL_ADDRESS ? `external ${process.env.TEMPORAL_ADDRESS}` : temporalProfile({ env: process.env }),
          ladder_per_s: flags.ladder.join(','),
          duration_s: flags.duration,
          warmup_s: flags.warmup,
          concurrency: flags.concurrency,
          p99_limit_ms: limitMs,
          targets: targets.join(','),
          processes:
            'postflow: api/server.ts and worker/main.ts as separate processes (NODE_ENV=production, LOG_LEVEL=info), fresh database ' +
            'and task queue per step; baselines: bench/baseline/worker.ts in its own process',
        },
        headline: {
          columns: ['target', 'capacity /s', 'p99 at capacity ms', 'first failing rate /s', 'why it failed'],
          rows: headlineRows,
        },
        tables: [
          { title: 'Every step', columns: ['target', 'offered /s', 'completed /s', 'p50 ms', 'p99 ms', 'kept up'], rows: stepRows },
          ...(resourceRows.length > 0
            ? [
                {
                  title: "postflow's processes (CPU % of one core and ms per delivered conversion over load start → last receipt)",
                  columns: [
                    'run',
                    'rate /s',
                    'postback 200 p50 ms',
                    'postback 200 p99 ms',
                    '200 → receipt p99 ms',
                    'API CPU %',
                    'API peak RSS MiB',
                    'worker CPU %',
                    'worker peak RSS MiB',
                    'API CPU ms / conversion',
                    'worker CPU ms / conversion',
                    'Temporal CPU ms / conversion',
                    'MongoDB CPU ms / conversion',
                  ],
                  rows: resourceRows,
                },
              ]
            : []),
        ],
        notes,
        machine,
        versions: versions(process.env),
        infrastructure: env.infra.summary,
        details: {
          capacities: Object.fromEntries(TARGETS.filter((t) => results[t]).map((t) => [t, results[t]!.capacity])),
          ratios: { postflowToEmpty: ratioTo('empty'), postflowToSingle: ratioTo('single') },
          steps: Object.fromEntries(TARGETS.filter((t) => results[t]).map((t) => [t, results[t]!.steps])),
          half: half ?? null,
          cpuLabels: { bench: BENCH },
        },
      },
      capacityDetailsSchema,
    );
    process.stdout.write(`${notes.join('\n')}\nwrote ${json}\nwrote ${markdown}\n`);
  } finally {
    await env.stop();
  }
}

if (require.main === module) runMain(main);
