/**
 * POST /postback for distinct clicks with a worker draining the workflows: how fast postflow
 * accepts (durable workflow start → 200) and how fast it decides, end to end. The API and the
 * worker run as `npm start` runs them (two processes, production settings, --storage file).
 * Run: npx tsx bench/ingress.ts [--rate 200]
 */
import { createOfferSetup } from './lib/admin';
import { parseFlags } from './lib/args';
import { insertClicks, postbackSpec } from './lib/clicks';
import { decisions, waitForDrain, type DrainResult } from './lib/drain';
import type { PhaseResult } from './lib/load';
import { log } from './lib/log';
import { machineFacts, versions } from './lib/machine';
import { runMain } from './lib/main';
import { cpuSnapshot, cpuUsage } from './lib/cpu';
import { describeCpu, measure, transportErrors, unexpectedCount } from './lib/measure';
import { writeReport } from './lib/results';
import { startPostflowProcesses } from './lib/processes';
import { benchClient, benchStorage, startInfra, storageFlag } from './lib/stack';
import { round } from './lib/stats';

const flags = parseFlags('npx tsx bench/ingress.ts [flags]', {
  storage: storageFlag,
  concurrency: { help: 'closed loop: postbacks in flight; open loop (--rate): connection cap', default: 32 },
  rate: { help: 'open loop: postbacks per second, sent on schedule whatever the answers' },
  duration: { help: 'measured seconds', default: 20 },
  warmup: { help: 'discarded seconds before the measurement (its backlog is drained first)', default: 3, min: 0 },
  clicks: { help: 'clicks created up front, one per postback (default: enough for the run)' },
  'drain-timeout': { help: 'seconds to wait for accepted conversions to be decided', default: 300 },
});

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineFacts();
  const open = flags.rate !== undefined;
  // Closed loop cannot know its rate in advance: 30 000 covers 1 300/s for 23 s; the report says if they ran out.
  const clickCount = flags.clicks ?? (open ? Math.ceil(flags.rate! * (flags.warmup + flags.duration)) + 100 : 30_000);
  const deadlineMs = flags['drain-timeout'] * 1000;

  const env = await startInfra('ingress', benchStorage(flags.storage));
  try {
    const client = await benchClient(env);
    const stack = await startPostflowProcesses({ infra: env.infra, runDir: env.runDir, name: 'ingress', client });
    env.cleanups.push(() => stack.stop());
    const cpuLabels: Record<number, string> = { [process.pid]: 'bench process' };
    if (stack.api.pid) cpuLabels[stack.api.pid] = 'postflow api';
    if (stack.worker.pid) cpuLabels[stack.worker.pid] = 'postflow worker';
    const setup = await createOfferSetup(stack.baseUrl, stack.adminKey);
    const t = Date.now();
    const clickIds = await insertClicks(stack.models, setup, clickCount);
    log(`inserted ${clickCount} clicks in ${Date.now() - t} ms`);

    const spec = postbackSpec(setup.token, clickIds);

    let warmDrain: DrainResult | undefined;
    const accepted = (r: PhaseResult | undefined) => r?.tallies.accepted ?? 0;
    const m = await measure(
      stack.port,
      spec,
      {
        mode: open ? 'open' : 'closed',
        concurrency: flags.concurrency,
        ratePerSec: flags.rate,
        warmupS: flags.warmup,
        durationS: flags.duration,
        expectStatus: 200,
        cpuLabels,
      },
      // The measured phase starts with no backlog, so the drain afterwards is its own.
      async (warmup) => {
        if (!warmup) return;
        log(`  draining the warm-up's ${accepted(warmup)} conversions`);
        warmDrain = await waitForDrain(stack.models, accepted(warmup), deadlineMs);
        if (!warmDrain.drained)
          throw new Error(
            `the warm-up's conversions were not decided within ${flags['drain-timeout']} s (${warmDrain.decided}/${accepted(warmup)})`,
          );
      },
    );

    const r = m.measured;
    log(`  load done: ${accepted(r)} accepted; waiting for the workflows to decide them`);
    const beforeDrain = cpuSnapshot(cpuLabels);
    const drain = await waitForDrain(stack.models, accepted(m.warmup) + accepted(r), deadlineMs);
    const drainCpu = cpuUsage(beforeDrain, cpuSnapshot(cpuLabels));
    const mix = await decisions(stack.models, m.measuredFrom);
    const endToEndS = (r.elapsedMs + drain.waitedMs) / 1000;
    const conversionsPerSec = round(accepted(r) / endToEndS);

    const notes = [
      `End to end: ${accepted(r)} conversions accepted and decided in ${round(endToEndS, 1)} s ` +
        `(load ${round(r.elapsedMs / 1000, 1)} s + drain ${round(drain.waitedMs / 1000, 1)} s) = **${conversionsPerSec} conversions/s**.`,
      `Backlog when the load stopped: ${drain.backlogAtStart} conversions not yet decided; ` +
        `${drain.drained ? 'all decided' : `**NOT drained** after ${flags['drain-timeout']} s (${drain.decided} decided)`}.`,
      `Accept → first decision in MongoDB (received_at → status_history[0].at): p50 ${round(mix.acceptToDecision.p50Ms)} ms, ` +
        `p99 ${round(mix.acceptToDecision.p99Ms)} ms, max ${round(mix.acceptToDecision.maxMs)} ms.`,
      `Statuses of the measured conversions: ${JSON.stringify(mix.statuses)}; answers: ${JSON.stringify(r.tallies)}.`,
      `During the load: ${describeCpu(m.cpu)}.`,
      `During the drain: ${describeCpu(drainCpu)}.`,
      ...([m.cpu, drainCpu].some((c) => (c?.foreignPct ?? 0) > 5)
        ? ['**Other processes used more than 5 % of the machine during the run: the figures are understated; rerun on a quiet machine.**']
        : []),
      ...(r.exhausted ? [`**The run ran out of clicks** after ${r.completed} postbacks: pass a larger --clicks.`] : []),
      ...(open && r.maxSendLagMs !== undefined && r.maxSendLagMs > 50
        ? [`The generator sent up to ${r.maxSendLagMs} ms late (CPU contention); latencies count from the scheduled time.`]
        : []),
      ...[stack.api, stack.worker].flatMap((p) => {
        const odd = p.unexpectedOutput();
        return odd.count > 0 ? [`The ${p.label} process printed ${odd.count} unexpected lines; first: ${odd.first[0]}`] : [];
      }),
      ...Object.entries(r.unexpectedSamples).map(([status, bodies]) => `Unexpected ${status}, e.g. ${bodies[0]}`),
    ];
    const name = open ? 'ingress-open' : 'ingress';
    const { json, markdown } = writeReport({
      name,
      title: open ? `POST /postback, open loop at ${flags.rate}/s` : `POST /postback, closed loop with ${flags.concurrency} in flight`,
      startedAt,
      command: `npx tsx bench/ingress.ts ${process.argv.slice(2).join(' ')}`.trim(),
      settings: {
        storage: flags.storage,
        mode: open ? 'open' : 'closed',
        concurrency: flags.concurrency,
        rate_per_s: flags.rate ?? '-',
        duration_s: flags.duration,
        warmup_s: flags.warmup,
        clicks: clickCount,
      },
      headline: {
        columns: [
          'mode',
          'accepted/s',
          'p50 ms',
          'p99 ms',
          'max ms',
          '200s',
          'non-200',
          'transport errors',
          'drain s',
          'end-to-end conversions/s',
          'CPU busy % / other procs % (load)',
        ],
        rows: [
          [
            open ? `open, ${flags.rate}/s` : `closed, ${flags.concurrency} in flight`,
            round(accepted(r) / (r.elapsedMs / 1000)),
            r.latency.p50Ms,
            r.latency.p99Ms,
            r.latency.maxMs,
            r.statusCounts['200'] ?? 0,
            unexpectedCount(r, 200),
            transportErrors(r),
            round(drain.waitedMs / 1000, 1),
            conversionsPerSec,
            m.cpu ? `${m.cpu.machineBusyPct} / ${m.cpu.foreignPct}` : 'n/a',
          ],
        ],
      },
      notes,
      machine,
      versions: versions(process.env),
      infrastructure: env.infra.summary,
      details: {
        measurement: m,
        warmupDrain: warmDrain,
        drain,
        drainCpu,
        decisions: mix,
        conversionsPerSec,
        appErrors: { api: stack.api.unexpectedOutput(), worker: stack.worker.unexpectedOutput() },
      },
    });
    process.stdout.write(`${notes.join('\n')}\nwrote ${json}\nwrote ${markdown}\n`);
  } finally {
    await env.stop();
  }
}

if (require.main === module) runMain(main);
