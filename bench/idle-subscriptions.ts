/**
 * What idle subscriptions cost: the MongoDB commands a worker sends per second while N
 * subscriptions wait for events that do not come, against the same worker with none (the
 * baseline, measured first in the same run). Each subscription's dispatcher waits in a long-poll
 * claim (activities/subscription-dispatch.ts); the process's feed watch (events/feed-watch.ts)
 * polls the feed for all of them.
 * Run: npx tsx bench/idle-subscriptions.ts [--subscriptions 20] [--duration 20] [--warmup 5] [--storage file|memory]
 */
import { parseFlags } from './lib/args';
import { log } from './lib/log';
import { machineFacts, versions } from './lib/machine';
import { runMain } from './lib/main';
import { countMongoCommands, type CommandCount } from './lib/mongo-commands';
import { writeReport } from './lib/results';
import { benchStorage, startBenchStack, storageFlag } from './lib/stack';

const flags = parseFlags('npx tsx bench/idle-subscriptions.ts [flags]', {
  subscriptions: { help: 'idle subscriptions', default: 20, min: 1 },
  duration: { help: 'seconds measured, for the baseline and again with the subscriptions', default: 20, min: 1 },
  warmup: { help: 'seconds after creating the subscriptions before measuring (their dispatchers start)', default: 5, min: 0 },
  storage: storageFlag,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const total = (counts: CommandCount[]) => counts.reduce((n, c) => n + c.count, 0);
const perSecond = (n: number) => Math.round((n / flags.duration) * 10) / 10;

async function main(): Promise<void> {
  const startedAt = new Date();
  const stack = await startBenchStack({
    storage: benchStorage(flags.storage),
    name: 'idle-subscriptions',
    worker: true,
    monitorMongoCommands: true,
  });
  const commands = countMongoCommands(stack.mongo.getClient());
  try {
    // The baseline: the same worker and API, nothing subscribed.
    await sleep(flags.warmup * 1000);
    commands.reset();
    await sleep(flags.duration * 1000);
    const baseline = commands.counts();
    log(`baseline: ${total(baseline)} commands in ${flags.duration} s`);

    for (let i = 0; i < flags.subscriptions; i++) {
      const res = await fetch(`${stack.baseUrl}/api/subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `http://127.0.0.1:9/crm-${i}`, event_types: ['conversion.*'] }),
      });
      if (res.status !== 201) throw new Error(`POST /api/subscriptions answered ${res.status}: ${await res.text()}`);
    }
    log(`${flags.subscriptions} subscriptions created; ${flags.warmup} s for their dispatchers to start waiting`);
    await sleep(flags.warmup * 1000);
    commands.reset();
    await sleep(flags.duration * 1000);
    const idle = commands.counts();
    log(`idle: ${total(idle)} commands in ${flags.duration} s`);

    const extra = total(idle) - total(baseline);
    const columns = ['run', 'subscriptions', 'MongoDB commands/s', 'extra per subscription/s'];
    const rows: (string | number)[][] = [
      ['baseline (none)', 0, perSecond(total(baseline)), '—'],
      [
        'idle subscriptions',
        flags.subscriptions,
        perSecond(total(idle)),
        Math.round((extra / flags.duration / flags.subscriptions) * 100) / 100,
      ],
    ];
    const byCollection = {
      title: 'Commands per second with the subscriptions, by sender, command and collection',
      columns: ['sender', 'command', 'collection', 'per second'],
      rows: idle.map((c) => [c.source, c.command, c.collection, perSecond(c.count)]),
    };
    const notes = [
      `Over the baseline: ${perSecond(extra)} commands/s for ${flags.subscriptions} idle subscriptions.`,
      'Counted by the driver in the one process that runs the API and the worker (bench/lib/mongo-commands.ts).',
    ];
    const { json, markdown } = writeReport({
      name: 'idle-subscriptions',
      title: 'Idle subscriptions: MongoDB commands per second while nothing happens',
      startedAt,
      command: `npx tsx bench/idle-subscriptions.ts ${process.argv.slice(2).join(' ')}`.trim(),
      settings: { subscriptions: flags.subscriptions, duration: flags.duration, warmup: flags.warmup, storage: flags.storage },
      headline: { columns, rows },
      tables: [byCollection],
      notes,
      machine: machineFacts(),
      versions: versions(process.env),
      infrastructure: stack.infra.summary,
      details: { baseline, idle },
    });
    process.stdout.write(
      `${[columns, ...rows].map((r) => r.join(' | ')).join('\n')}\n${notes.join('\n')}\nwrote ${json}\nwrote ${markdown}\n`,
    );
  } finally {
    commands.stop();
    await stack.stop();
  }
}

if (require.main === module) runMain(main);
