import { attributeActivities } from './attribute';
import { capActivities } from './caps';
import { deliveryActivities } from './deliveries';
import { deliveryPlanActivities } from './delivery-plan';
import type { ActivityDeps } from './deps';
import { screenActivities } from './screen';
import { stateActivities } from './state';
import { transitionActivities } from './transitions';

export type { ActivityDeps } from './deps';

/**
 * The one factory the worker calls with its connections and clock; workflows import only
 * its type (`import type`), so no driver ever reaches the workflow bundle.
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
  };
}

export type Activities = ReturnType<typeof createActivities>;
