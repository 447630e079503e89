import { attributeActivities } from './attribute';
import { capActivities } from './caps';
import { deliveryActivities } from './deliveries';
import { deliveryPlanActivities } from './delivery-plan';
import type { ActivityDeps } from './deps';
import { screenActivities } from './screen';
import { stateActivities } from './state';
import { transitionActivities } from './transitions';
import type { Steps } from '../domain/steps';

export type { ActivityDeps } from './deps';

/**
 * The one factory the worker calls with its connections and clock. It implements the step
 * contract (domain/steps), which is all the workflows and the timeline know of it, so no driver
 * ever reaches the workflow bundle and a renamed step fails the type check here.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...screenActivities(deps),
    ...attributeActivities(deps),
    ...capActivities(deps),
    ...transitionActivities(deps),
    ...stateActivities(deps),
    ...deliveryPlanActivities(deps),
    ...deliveryActivities(deps),
  } satisfies Steps;
}
