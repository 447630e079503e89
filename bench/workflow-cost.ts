/**
 * What one conversion costs on the happy path: N postbacks, each approved and delivered to one
 * endpoint on a local receiver (answering 200 at once); then the histories of every conversion
 * workflow and its delivery children, read through the Temporal client, counted per conversion:
 * workflow tasks, history events, remote activities (task-queue round trips), local activities,
 * child workflows, timers. Beside them, from the same conversions: the MongoDB commands the
 * activities sent (the driver's command monitoring, by activity, command and collection) and the
 * CPU the process running the API and the worker spent per conversion. The counts do not depend
 * on load; the CPU does a little (a loaded machine's caches are colder), so compare it within a run.
 * Run: npx tsx bench/workflow-cost.ts [--conversions 50] [--warmup 10]
 */
import type { Client } from '@temporalio/client';
import { conversionWorkflowId } from '../domain/workflow-ids';
import { createOfferSetup, createPostbackEndpoint } from './lib/admin';
import { parseFlags } from './lib/args';
import { insertClicks } from './lib/clicks';
import { waitForReceipts, waitForSettled } from './lib/deliveries';
import { averageCost, childWorkflowIds, eventTypeName, historyCost, type CostHistory, type HistoryCost } from './lib/history-cost';
import { log } from './lib/log';
import { machineFacts, versions } from './lib/machine';
import { runMain } from './lib/main';
import { ReceiverProcess } from './lib/receiver';
import { writeReport } from './lib/results';
import { countMongoCommands, OUTSIDE_ACTIVITIES, type CommandCount } from './lib/mongo-commands';
import { benchStorage, startBenchStack, storageFlag, type BenchStack } from './lib/stack';
import type { OfferSetup } from './lib/admin';

const flags = parseFlags('npx tsx bench/workflow-cost.ts [flags]', {
  conversions: { help: 'conversions to post, one at a time, each with one delivery', default: 50, min: 1 },
  warmup: { help: 'conversions posted and delivered first, not counted (the JIT and the caches warm up)', default: 10, min: 0 },
  timeout: { help: 'seconds to wait for the deliveries and for the histories to come to rest', default: 120 },
  // The counts do not depend on the storage; the flag is there so the run starts like the others.
  storage: storageFlag,
});

/** Until the workflow has no task outstanding and every child it started has reported back, more events may come. */
function atRest(history: CostHistory): boolean {
  let tasksOpen = 0;
  let childrenOpen = 0;
  for (const e of history.events ?? []) {
    const type = eventTypeName(e.eventType);
    if (type === 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED') tasksOpen += 1;
    else if (/^EVENT_TYPE_WORKFLOW_TASK_(COMPLETED|FAILED|TIMED_OUT)$/.test(type)) tasksOpen -= 1;
    else if (type === 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED') childrenOpen += 1;
    else if (
      /^EVENT_TYPE_(CHILD_WORKFLOW_EXECUTION_(COMPLETED|FAILED|CANCELED|TERMINATED|TIMED_OUT)|START_CHILD_WORKFLOW_EXECUTION_FAILED)$/.test(
        type,
      )
    )
      childrenOpen -= 1;
  }
  return tasksOpen <= 0 && childrenOpen <= 0;
}

async function restingHistory(client: Client, workflowId: string, deadline: number): Promise<CostHistory> {
  for (;;) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    if (atRest(history) || Date.now() > deadline) return history;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One conversion's histories: its workflow and every delivery child it started. */
async function conversionCost(client: Client, conversionId: string, deadline: number): Promise<HistoryCost> {
  const parent = await restingHistory(client, conversionWorkflowId(conversionId), deadline);
  const children = await Promise.all(childWorkflowIds(parent).map((id) => restingHistory(client, id, deadline)));
  return historyCost([parent, ...children]);
}

/** Posts one postback per click, one at a time; returns the conversion ids. */
async function postConversions(stack: BenchStack, setup: OfferSetup, clickIds: string[], first: number): Promise<string[]> {
  const conversionIds: string[] = [];
  for (const [i, clickId] of clickIds.entries()) {
    const res = await fetch(`${stack.baseUrl}/postback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-postback-token': setup.token },
      body: JSON.stringify({ click_id: clickId, txid: `tx-${first + i}`, amount: '12.50', currency: 'USD' }),
    });
    const body = (await res.json()) as { conversion_id?: string; result?: string };
    if (res.status !== 200 || body.result !== 'accepted' || !body.conversion_id)
      throw new Error(`postback ${first + i}: ${res.status} ${JSON.stringify(body)}`);
    conversionIds.push(body.conversion_id);
  }
  return conversionIds;
}

/** Waits until `total` conversions (warm-up included) have arrived at the receiver and their deliveries finished. */
async function awaitDelivered(stack: BenchStack, receiver: ReceiverProcess, total: number, timeoutMs: number): Promise<void> {
  const arrived = await waitForReceipts(receiver, total, timeoutMs);
  const settled = await waitForSettled(stack.models, total, timeoutMs);
  if (!arrived.complete || !settled.settled)
    throw new Error(
      `not every delivery arrived and finished (${arrived.conversions}/${total} arrived, ${settled.finished}/${total} finished)`,
    );
}

const perConversion = (x: number, n: number) => Math.round((x / n) * 100) / 100;

async function main(): Promise<void> {
  const startedAt = new Date();
  const n = flags.conversions;
  const warmup = flags.warmup;
  const stack = await startBenchStack({
    storage: benchStorage(flags.storage),
    name: 'workflow-cost',
    worker: true,
    monitorMongoCommands: true,
  });
  const receiver = await ReceiverProcess.start();
  const commands = countMongoCommands(stack.mongo.getClient());
  try {
    const setup = await createOfferSetup(stack.baseUrl, stack.adminKey);
    await createPostbackEndpoint(stack.baseUrl, stack.adminKey, setup.affiliateId, `${receiver.baseUrl}/pb?e={event_id}&c={conversion_id}`);
    const clickIds = await insertClicks(stack.models, setup, warmup + n);
    const timeoutMs = flags.timeout * 1000;
    if (warmup > 0) {
      await postConversions(stack, setup, clickIds.slice(0, warmup), 0);
      await awaitDelivered(stack, receiver, warmup, timeoutMs);
      log(`${warmup} warm-up conversions delivered`);
    }
    commands.reset();
    const cpuBefore = process.cpuUsage();
    const conversionIds = await postConversions(stack, setup, clickIds.slice(warmup), warmup);
    log(`${n} postbacks accepted; waiting for their deliveries`);
    await awaitDelivered(stack, receiver, warmup + n, timeoutMs);
    const cpu = process.cpuUsage(cpuBefore);
    const commandCounts = commands.counts();
    const deadline = Date.now() + timeoutMs;
    const costs: HistoryCost[] = [];
    for (const id of conversionIds) costs.push(await conversionCost(stack.client, id, deadline));
    const avg = averageCost(costs);
    const fromActivities = commandCounts.filter((c) => c.source !== OUTSIDE_ACTIVITIES);
    const activityCommands = perConversion(
      fromActivities.reduce((sum, c) => sum + c.count, 0),
      n,
    );
    const cpuMs = perConversion((cpu.user + cpu.system) / 1000, n);

    const columns = [
      'workflow tasks',
      'history events',
      'remote activities',
      'local activities',
      'child workflows',
      'timers',
      'search attribute upserts',
      'workflows',
      'MongoDB commands from activities',
      'CPU ms, API + worker process',
    ];
    const row = [
      avg.workflowTasks,
      avg.events,
      avg.activities,
      avg.localActivities,
      avg.childWorkflows,
      avg.timers,
      avg.searchAttributeUpserts,
      avg.workflows,
      activityCommands,
      cpuMs,
    ];
    const notes = [
      `Per conversion, averaged over ${n} conversions, each approved and delivered on its first attempt to one endpoint ` +
        '(the conversion workflow and any delivery workflows it started, read once they were at rest).',
      'A workflow task is a server round trip (poll, task, completion); a remote activity is another one on the task queue, ' +
        'usually followed by a workflow task; a local activity runs inside a workflow task and costs one marker event.',
      'MongoDB commands: every command the activities sent while the measured conversions ran (warm-up excluded), ' +
        "per conversion; the driver's own (hello, ping) are not counted. " +
        "Commands from outside activities (the API's postback path, the benchmark's polling) " +
        `are listed under "${OUTSIDE_ACTIVITIES}" in the table below.`,
      'CPU ms: user + system CPU of the process that runs the API and the worker (and posts the postbacks) from the first measured ' +
        "postback until every delivery finished, per conversion; the API's share is about 6 ms (README Performance). " +
        'Compare it with a run of the other code in the same conditions, not across machines or loads.',
    ];
    const { json, markdown } = writeReport({
      name: 'workflow-cost',
      title: 'Temporal work per conversion (one endpoint, first attempt succeeds)',
      startedAt,
      command: `npx tsx bench/workflow-cost.ts ${process.argv.slice(2).join(' ')}`.trim(),
      settings: { conversions: n, warmup, storage: flags.storage, endpoint: 'GET on approved; the receiver answers 200 at once' },
      headline: { columns, rows: [row] },
      tables: [commandTable(commandCounts, n)],
      notes,
      machine: machineFacts(),
      versions: versions(process.env),
      infrastructure: stack.infra.summary,
      details: {
        perConversion: { ...avg, mongoCommandsFromActivities: activityCommands, cpuMs },
        mongoCommands: commandCounts,
        conversions: costs.map((c, i) => ({ conversionId: conversionIds[i], ...c })),
      },
    });
    process.stdout.write(`${columns.map((c, i) => `${c}: ${row[i]}`).join('\n')}\nwrote ${json}\nwrote ${markdown}\n`);
  } finally {
    commands.stop();
    await receiver.close();
    await stack.stop();
  }
}

/** Per conversion, by who sent it, command and collection. */
function commandTable(counts: CommandCount[], n: number) {
  return {
    title: 'MongoDB commands per conversion, by sender, command and collection',
    columns: ['sent by', 'command', 'collection', 'per conversion'],
    rows: counts.map((c) => [c.source, c.command, c.collection, perConversion(c.count, n)]),
  };
}

if (require.main === module) runMain(main);
