import type { Models } from '../models';

/** What every activity gets from the worker: connections and a clock, nothing global. */
export interface ActivityDeps {
  models: Models;
  now: () => Date;
}
