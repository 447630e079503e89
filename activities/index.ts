import { conversionActivities, type ConversionActivityDeps } from './conversions';

export type ActivityDeps = ConversionActivityDeps;

/**
 * The one factory the worker calls with its connections and clock; workflows import only
 * its type (`import type`), so no driver ever reaches the workflow bundle.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...conversionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
