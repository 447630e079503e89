/**
 * What one conversion costs Temporal on the happy path: N postbacks, each approved and delivered
 * to one endpoint on a local receiver (answering 200 at once); then the histories of every
 * conversion workflow and its delivery children, read through the Temporal client, counted per
 * conversion: workflow tasks, history events, remote activities (task-queue round trips), local
 * activities, child workflows, timers. Counts, not timings: the figures do not depend on load.
 * Run: npx tsx bench/workflow-cost.ts [--conversions 20]
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
import { benchStorage, startBenchStack, storageFlag } from './lib/stack';

const flags = parseFlags('npx tsx bench/workflow-cost.ts [flags]', {
  conversions: { help: 'conversions to post, one at a time, each with one delivery', default: 20, min: 1 },
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

async function main(): Promise<void> {
  const startedAt = new Date();
  const n = flags.conversions;
  const stack = await startBenchStack({ storage: benchStorage(flags.storage), name: 'workflow-cost', worker: true });
  const receiver = await ReceiverProcess.start();
  try {
    const setup = await createOfferSetup(stack.baseUrl, stack.adminKey);
    await createPostbackEndpoint(stack.baseUrl, stack.adminKey, setup.affiliateId, `${receiver.baseUrl}/pb?e={event_id}&c={conversion_id}`);
    const clickIds = await insertClicks(stack.models, setup, n);
    const conversionIds: string[] = [];
    for (const [i, clickId] of clickIds.entries()) {
      const res = await fetch(`${stack.baseUrl}/postback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-postback-token': setup.token },
        body: JSON.stringify({ click_id: clickId, txid: `tx-${i}`, amount: '12.50', currency: 'USD' }),
      });
      const body = (await res.json()) as { conversion_id?: string; result?: string };
      if (res.status !== 200 || body.result !== 'accepted' || !body.conversion_id)
        throw new Error(`postback ${i}: ${res.status} ${JSON.stringify(body)}`);
      conversionIds.push(body.conversion_id);
    }
    log(`${n} postbacks accepted; waiting for their deliveries`);
    const timeoutMs = flags.timeout * 1000;
    const arrived = await waitForReceipts(receiver, n, timeoutMs);
    const settled = await waitForSettled(stack.models, n, timeoutMs);
    if (!arrived.complete || !settled.settled)
      throw new Error(`not every delivery arrived and finished (${arrived.conversions}/${n} arrived, ${settled.finished}/${n} finished)`);
    const deadline = Date.now() + timeoutMs;
    const costs: HistoryCost[] = [];
    for (const id of conversionIds) costs.push(await conversionCost(stack.client, id, deadline));
    const avg = averageCost(costs);

    const columns = [
      'workflow tasks',
      'history events',
      'remote activities',
      'local activities',
      'child workflows',
      'timers',
      'search attribute upserts',
      'workflows',
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
    ];
    const notes = [
      `Per conversion, averaged over ${n} conversions, each approved and delivered on its first attempt to one endpoint ` +
        '(the conversion workflow and any delivery workflows it started, read once they were at rest).',
      'A workflow task is a server round trip (poll, task, completion); a remote activity is another one on the task queue, ' +
        'usually followed by a workflow task; a local activity runs inside a workflow task and costs one marker event.',
    ];
    const { json, markdown } = writeReport({
      name: 'workflow-cost',
      title: 'Temporal work per conversion (one endpoint, first attempt succeeds)',
      startedAt,
      command: `npx tsx bench/workflow-cost.ts ${process.argv.slice(2).join(' ')}`.trim(),
      settings: { conversions: n, storage: flags.storage, endpoint: 'GET on approved; the receiver answers 200 at once' },
      headline: { columns, rows: [row] },
      notes,
      machine: machineFacts(),
      versions: versions(process.env),
      infrastructure: stack.infra.summary,
      details: { perConversion: avg, conversions: costs.map((c, i) => ({ conversionId: conversionIds[i], ...c })) },
    });
    process.stdout.write(`${columns.map((c, i) => `${c}: ${row[i]}`).join('\n')}\nwrote ${json}\nwrote ${markdown}\n`);
  } finally {
    await receiver.close();
    await stack.stop();
  }
}

if (require.main === module) runMain(main);
