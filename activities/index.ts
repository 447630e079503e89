import { attributeActivities } from './attribute';
import { capActivities } from './caps';
import { deliveryActivities } from './deliveries';
import { deliveryPlanActivities } from './delivery-plan';
import type { ActivityDeps, StepDeps } from './deps';
import { eventRecorder } from '../events/record';
import { retentionActivities } from './retention';
import { screenActivities } from './screen';
import { stateActivities } from './state';
import { subscriptionDispatchActivities } from './subscription-dispatch';
import { transitionActivities } from './transitions';
import type { Steps } from '../domain/steps';

export type { ActivityDeps } from './deps';

/**
 * The one factory the worker calls with its connections and clock. It implements the step
 * contract (domain/steps), which is all the workflows and the timeline know of it, so no driver
 * ever reaches the workflow bundle and a renamed step fails the type check here.
 */
export function createActivities(activityDeps: ActivityDeps) {
  // Every step that changes a state records that change's events in the same step (events/record.ts).
  const deps: StepDeps = {
    ...activityDeps,
    recordEvents: eventRecorder({ models: activityDeps.models, now: activityDeps.now, retentionMs: activityDeps.eventsRetentionMs }),
  };
  return {
    ...screenActivities(deps),
    ...attributeActivities(deps),
    ...capActivities(deps),
    ...transitionActivities(deps),
    ...stateActivities(deps),
    ...deliveryPlanActivities(deps),
    ...deliveryActivities(deps),
    ...subscriptionDispatchActivities(deps),
    ...retentionActivities(deps),
  } satisfies Steps;
}
