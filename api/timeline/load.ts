import { isGrpcServiceError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { conversionWorkflowId, deliveryWorkflowId, lateChangeWorkflowId } from '../../workflows/contract';
import type { LifecycleStatus } from '../../domain/status';
import type { Models } from '../../models';
import { ApiError } from '../errors';
import { conversionEntries, type LedgerLine, type PendingActivity } from './conversion-entries';
import { deliveryEntries, type DeliveryFacts } from './delivery-entries';
import { readHistory, tsMs } from './history-steps';
import { iso, type TimelineEntry } from './types';

export interface TimelineDeps {
  models: Models;
  temporal: Client;
  /** Base URL of the Temporal Web UI, for the link to the workflow. */
  temporalUiUrl: string;
}

export interface Timeline {
  conversion_id: string;
  workflow_id: string;
  run_id: string | null;
  workflow_status: string | null;
  status: string;
  temporal_ui_url: string | null;
  /** False when Temporal no longer has the workflow (retention passed): entries come from MongoDB. */
  history_available: boolean;
  /** A test conversion (README "Test postbacks"). */
  test: boolean;
  entries: TimelineEntry[];
}

const GRPC_NOT_FOUND = 5;
/** More delivery workflows than this for one conversion means something else is wrong; the timeline stays bounded. */
const MAX_DELIVERY_RUNS = 100;
/** The statuses a late change can ask for: each has its own workflow id (api/status-change.ts). */
const LATE_STATUSES: readonly LifecycleStatus[] = ['approved', 'pending', 'declined', 'reversed'];

/**
 * Everything that happened to one conversion, from its workflow history and its deliveries'
 * (every run, redeliveries included), joined with the ledger and attempt rows from MongoDB.
 * Works for running and closed workflows; once Temporal's retention has dropped a history, the
 * projection's status history stands in for it (history_available: false).
 */
export async function loadTimeline(deps: TimelineDeps, conversionId: string): Promise<Timeline> {
  const { models, temporal } = deps;
  const conversion = await models.Conversion.findById(conversionId).lean();
  if (!conversion) throw new ApiError(404, 'not_found', `no conversion with id "${conversionId}"`);
  const workflowId = conversion.workflow_id ?? conversionWorkflowId(conversionId);

  const [ledger, deliveries] = await Promise.all([
    models.LedgerEntry.find({ conversion_id: conversionId }).lean<LedgerLine[]>(),
    models.Delivery.find({ conversion_id: conversionId }).limit(MAX_DELIVERY_RUNS).lean(),
  ]);
  const attempts =
    deliveries.length > 0 ? await models.DeliveryAttempt.find({ delivery_id: { $in: deliveries.map((d) => d._id) } }).lean() : [];
  const converter = temporal.options.loadedDataConverter.payloadConverter;
  const facts = new Map(
    deliveries.map((doc): [string, DeliveryFacts] => [
      String(doc._id),
      {
        id: String(doc._id),
        event: doc.event,
        endpoint_id: doc.endpoint_id,
        attempts: attempts.filter((a) => a.delivery_id === doc._id) as DeliveryFacts['attempts'],
      },
    ]),
  );

  const main = await readRun(temporal.workflow.getHandle(workflowId));
  const entries: TimelineEntry[] = [];
  if (main) {
    entries.push(
      ...conversionEntries(readHistory(main.events, converter), {
        workflowId,
        source: 'conversion',
        ledger,
        pending: main.pending,
        deliveries: [...facts.values()],
      }),
    );
  } else {
    entries.push(...projectionEntries(conversion, workflowId));
  }

  // Deliveries (each redelivery is a new run of the same workflow id) and late status changes.
  const deliveryIds = new Map(deliveries.map((d) => [deliveryWorkflowId(d._id), d]));
  const lateIds = LATE_STATUSES.map((s) => lateChangeWorkflowId(conversionId, s));
  const runs = await listRuns(temporal, [...deliveryIds.keys(), ...lateIds]);
  // Visibility can lag a just-started workflow: a delivery with no listed run is read by id.
  for (const id of deliveryIds.keys()) if (!runs.some((r) => r.workflowId === id)) runs.push({ workflowId: id });

  const histories = await Promise.all(
    runs.slice(0, MAX_DELIVERY_RUNS).map(async (r) => ({ ...r, run: await readRun(temporal.workflow.getHandle(r.workflowId, r.runId)) })),
  );
  for (const h of histories) {
    if (!h.run) continue;
    const steps = readHistory(h.run.events, converter);
    const doc = deliveryIds.get(h.workflowId);
    if (doc) {
      const delivery = facts.get(String(doc._id))!;
      entries.push(...deliveryEntries(steps, { workflowId: h.workflowId, delivery, pending: h.run.pending }));
    } else {
      entries.push(
        ...conversionEntries(steps, {
          workflowId: h.workflowId,
          source: 'late_status_change',
          ledger,
          pending: h.run.pending,
          deliveries: [...facts.values()],
        }),
      );
    }
  }

  // Stable sort: entries of one workflow keep their history order when timestamps tie.
  entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return {
    conversion_id: conversionId,
    workflow_id: workflowId,
    run_id: main?.runId ?? null,
    workflow_status: main?.status ?? null,
    status: conversion.status,
    temporal_ui_url: main
      ? `${deps.temporalUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(temporal.options.namespace)}` +
        `/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(main.runId)}/history`
      : null,
    history_available: main !== undefined,
    test: conversion.test === true,
    entries,
  };
}

interface RunHistory {
  runId: string;
  status: string;
  events: NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>;
  pending: PendingActivity[];
}

/** One run's history and, while it runs, the activities the server is still attempting. */
async function readRun(handle: WorkflowHandle): Promise<RunHistory | undefined> {
  try {
    const [description, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
    const pending = (description.raw.pendingActivities ?? []).map((p) => ({
      name: p.activityType?.name ?? '',
      attempt: p.attempt ?? 1,
      ...(p.lastFailure?.message ? { lastFailure: p.lastFailure.message } : {}),
      ...(p.nextAttemptScheduleTime ? { nextAttemptAt: tsMs(p.nextAttemptScheduleTime) } : {}),
    }));
    return { runId: description.runId, status: description.status.name, events: history.events ?? [], pending };
  } catch (err) {
    // A delivery whose first attempt ended it inside the conversion workflow never had a workflow:
    // describe() says so with WorkflowNotFoundError, fetchHistory() with the raw gRPC NOT_FOUND (5).
    if (err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND)) return undefined;
    throw err;
  }
}

/** Every run of the given workflow ids, oldest first, from Temporal's visibility store. */
async function listRuns(temporal: Client, workflowIds: string[]): Promise<{ workflowId: string; runId?: string }[]> {
  if (workflowIds.length === 0) return [];
  const query = `WorkflowId IN (${workflowIds.map((id) => `'${id.replace(/'/g, '')}'`).join(', ')})`;
  const runs: { workflowId: string; runId: string; start: number }[] = [];
  for await (const info of temporal.workflow.list({ query })) {
    runs.push({ workflowId: info.workflowId, runId: info.runId, start: info.startTime.getTime() });
    if (runs.length >= MAX_DELIVERY_RUNS) break;
  }
  return runs.sort((a, b) => a.start - b.start);
}

/** After retention: the status changes the projection kept, so the question still has an answer. */
function projectionEntries(
  conversion: {
    status_history?: {
      seq?: number | null;
      from?: string | null;
      to?: string | null;
      reason?: string | null;
      actor?: string | null;
      at?: Date | null;
    }[];
    received_at: Date;
    test?: boolean | null;
  },
  workflowId: string,
): TimelineEntry[] {
  const base = { source: 'projection' as const, workflow_id: workflowId, duration_ms: null };
  return [
    {
      ...base,
      at: iso(conversion.received_at.getTime()),
      kind: 'received',
      title: `${conversion.test ? 'TEST ' : ''}postback received (workflow history no longer retained by Temporal)`,
      outcome: 'info',
      detail: {},
    },
    ...(conversion.status_history ?? []).map((h) => ({
      ...base,
      at: iso(h.at?.getTime() ?? 0),
      kind: 'status_change',
      title: `${h.from} → ${h.to} by ${h.actor}${h.reason ? `: ${h.reason}` : ''}`,
      outcome: 'info' as const,
      detail: { seq: h.seq },
    })),
  ];
}
