/**
 * The worker's resident memory, before and after its workflow bundle was prebuilt, in one run:
 * the worker process started as production starts it (bench/lib/processes.ts), once bundling the
 * workflows in-process with webpack (as it used to) and once loading the prebuilt bundle. Each
 * sits idle, then takes postbacks at a steady rate, each conversion delivered to a local receiver.
 * Peak RSS is sampled every 250 ms; VmHWM adds the start-up's peak.
 * Run: npx tsx bench/worker-memory.ts [--rate 10] [--duration 30] [--idle 15]
 */
import type { Client } from '@temporalio/client';
import { createOfferSetup, createPostbackEndpoint } from './lib/admin';
import { parseFlags } from './lib/args';
import { insertClicks, postbackSpec } from './lib/clicks';
import { waitForReceipts } from './lib/deliveries';
import { log } from './lib/log';
import { machineFacts, versions } from './lib/machine';
import { runMain } from './lib/main';
import { measure } from './lib/measure';
import { RssSampler, type MemoryPeak } from './lib/memory';
import { startPostflowProcesses } from './lib/processes';
import { ReceiverProcess } from './lib/receiver';
import { writeReport } from './lib/results';
import { benchClient, benchStorage, startInfra, storageFlag, type BenchInfra } from './lib/stack';
import { round } from './lib/stats';

const flags = parseFlags('npx tsx bench/worker-memory.ts [flags]', {
  storage: storageFlag,
  rate: { help: 'postbacks per second during the load phase, open loop', default: 10 },
  duration: { help: 'seconds of load', default: 30 },
  idle: { help: 'seconds the worker sits idle (after it polls) before the load', default: 15 },
  concurrency: { help: 'connection cap of the load generator', default: 64 },
});

const VARIANTS = [
  { name: 'bundling in-process (before)', entry: 'bench/lib/worker-bundling-in-process.ts' },
  { name: 'prebuilt bundle (now)', entry: 'worker/main.ts' },
] as const;

interface VariantRun {
  variant: string;
  idle: MemoryPeak;
  load: MemoryPeak;
  accepted: number;
  delivered: number;
  complete: boolean;
}

async function measureVariant(env: BenchInfra, client: Client, variant: (typeof VARIANTS)[number]): Promise<VariantRun> {
  log(`${variant.name}: starting the worker from ${variant.entry}`);
  const procs = await startPostflowProcesses({ infra: env.infra, runDir: env.runDir, name: 'memory', client, workerEntry: variant.entry });
  const receiver = await ReceiverProcess.start();
  try {
    const idleSampler = new RssSampler({ worker: procs.worker.pid });
    await new Promise((r) => setTimeout(r, flags.idle * 1000));
    const idle = idleSampler.stop().worker ?? {};
    log(`  idle: ${idle.peakRssMiB} MiB (start-up peak ${idle.lifetimePeakMiB} MiB)`);

    const setup = await createOfferSetup(procs.baseUrl, procs.adminKey);
    await createPostbackEndpoint(procs.baseUrl, procs.adminKey, setup.affiliateId, `${receiver.baseUrl}/pb?e={event_id}&c={conversion_id}`);
    const clickIds = await insertClicks(procs.models, setup, Math.ceil(flags.rate * flags.duration) + 100);
    const spec = postbackSpec(setup.token, clickIds, { recordJsonField: 'conversion_id' });
    const loadSampler = new RssSampler({ worker: procs.worker.pid });
    const m = await measure(procs.port, spec, {
      mode: 'open',
      concurrency: flags.concurrency,
      ratePerSec: flags.rate,
      warmupS: 0,
      durationS: flags.duration,
      expectStatus: 200,
    });
    const accepted = (m.measured.records ?? []).length;
    const arrival = await waitForReceipts(receiver, accepted, 600_000);
    const load = loadSampler.stop().worker ?? {};
    log(`  load: ${accepted} accepted, ${arrival.conversions} delivered; peak ${load.peakRssMiB} MiB`);
    return { variant: variant.name, idle, load, accepted, delivered: arrival.conversions, complete: arrival.complete };
  } finally {
    await receiver.close();
    await procs.stop();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const env = await startInfra('worker-memory', benchStorage(flags.storage));
  try {
    const client = await benchClient(env);
    const runs: VariantRun[] = [];
    for (const variant of VARIANTS) runs.push(await measureVariant(env, client, variant));
    const [before, now] = runs as [VariantRun, VariantRun];
    const ratio = (f: (r: VariantRun) => number | undefined) => {
      const a = f(before);
      const b = f(now);
      return a && b ? round(b / a, 2) : 'n/a';
    };
    const notes = [
      `Peak RSS under load, now / before: **${ratio((r) => r.load.peakRssMiB)}**; idle: ${ratio((r) => r.idle.peakRssMiB)}; ` +
        `whole life (VmHWM, start-up included): ${ratio((r) => r.load.lifetimePeakMiB)}.`,
      ...runs.filter((r) => !r.complete).map((r) => `**${r.variant}: ${r.accepted - r.delivered} conversions not delivered.**`),
    ];
    const { json, markdown } = writeReport({
      name: 'worker-memory',
      title: 'Worker resident memory: workflow bundle built in-process vs prebuilt',
      startedAt,
      command: `npx tsx bench/worker-memory.ts ${process.argv.slice(2).join(' ')}`.trim(),
      settings: flags,
      headline: {
        columns: ['worker', 'idle RSS MiB', 'peak RSS under load MiB', 'VmHWM MiB (start-up included)', 'postbacks accepted / delivered'],
        rows: runs.map((r) => [
          r.variant,
          r.idle.peakRssMiB ?? 'n/a',
          r.load.peakRssMiB ?? 'n/a',
          r.load.lifetimePeakMiB ?? 'n/a',
          `${r.accepted} / ${r.delivered}`,
        ]),
      },
      notes,
      machine: machineFacts(),
      versions: versions(process.env),
      infrastructure: env.infra.summary,
      details: { runs },
    });
    process.stdout.write(`${notes.join('\n')}\nwrote ${json}\nwrote ${markdown}\n`);
  } finally {
    await env.stop();
  }
}

if (require.main === module) runMain(main);
