/**
 * What one conversion costs Temporal, read from the histories of its workflows (the conversion
 * workflow and any delivery children). Pure: the histories come from the client
 * (`handle.fetchHistory()`, numeric event types) or from `temporal workflow show --output json`
 * (the fixtures, event types as names), so it is unit-tested on the recorded fixtures.
 */
import { temporal } from '@temporalio/proto';

type EventType = temporal.api.enums.v1.EventType;
const EventType = temporal.api.enums.v1.EventType;

/** The fields read here, in either form a history comes in. */
export interface CostEvent {
  eventType?: EventType | string | null;
  markerRecordedEventAttributes?: { markerName?: string | null } | null;
  startChildWorkflowExecutionInitiatedEventAttributes?: { workflowId?: string | null } | null;
}

export interface CostHistory {
  events?: CostEvent[] | null;
}

export interface HistoryCost {
  /** Workflow executions counted (the conversion workflow plus its delivery children). */
  workflows: number;
  /** WorkflowTaskCompleted: each is a poll, a task and a completion round trip with the server. */
  workflowTasks: number;
  events: number;
  /** Remote activities scheduled: each is a task-queue round trip (and usually another workflow task). */
  activities: number;
  /** Local activities: a marker each, run inside a workflow task. */
  localActivities: number;
  childWorkflows: number;
  timers: number;
  searchAttributeUpserts: number;
}

export const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED' whichever form the event came in. */
export function eventTypeName(type: CostEvent['eventType']): string {
  if (typeof type === 'string') return type;
  return type === undefined || type === null ? 'EVENT_TYPE_UNSPECIFIED' : (EventType[type] ?? String(type));
}

const zero = (): HistoryCost => ({
  workflows: 0,
  workflowTasks: 0,
  events: 0,
  activities: 0,
  localActivities: 0,
  childWorkflows: 0,
  timers: 0,
  searchAttributeUpserts: 0,
});

/** The summed cost of these histories (one conversion's: its workflow and its children). */
export function historyCost(histories: CostHistory[]): HistoryCost {
  const cost = zero();
  for (const history of histories) {
    const events = history.events ?? [];
    cost.workflows += 1;
    cost.events += events.length;
    for (const event of events) {
      switch (eventTypeName(event.eventType)) {
        case 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED':
          cost.workflowTasks += 1;
          break;
        case 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED':
          cost.activities += 1;
          break;
        case 'EVENT_TYPE_MARKER_RECORDED':
          if (event.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) cost.localActivities += 1;
          break;
        case 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED':
          cost.childWorkflows += 1;
          break;
        case 'EVENT_TYPE_TIMER_STARTED':
          cost.timers += 1;
          break;
        case 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES':
          cost.searchAttributeUpserts += 1;
          break;
      }
    }
  }
  return cost;
}

/** The ids of the child workflows a history started: the delivery workflows whose histories belong to the same conversion. */
export function childWorkflowIds(history: CostHistory): string[] {
  return (history.events ?? []).flatMap((e) => {
    const id = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    return id ? [id] : [];
  });
}

/** Per-conversion averages over several conversions' costs. */
export function averageCost(costs: HistoryCost[]): HistoryCost {
  const sum = zero();
  for (const c of costs) for (const k of Object.keys(sum) as Array<keyof HistoryCost>) sum[k] += c[k];
  const n = Math.max(costs.length, 1);
  return Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, Math.round((v / n) * 100) / 100])) as unknown as HistoryCost;
}
