import type { Models } from '../models';

const BUILT = 'built';
const DUPLICATE_KEY = 11000;

/** Whether the roll-ups hold everything: written by a rebuild, or at start on a database with no rows yet. */
export async function rollupsBuilt(models: Models): Promise<boolean> {
  return (await models.RollupState.exists({ _id: BUILT })) !== null;
}

export async function markRollupsBuilt(models: Models, how: string): Promise<void> {
  try {
    await models.RollupState.create({ _id: BUILT, at: new Date(), how });
  } catch (err) {
    if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err; // another process was first
  }
}

/**
 * At start: a database with no clicks, conversions or ledger entries has complete roll-ups (every
 * row from now on is counted as it is written). One with rows from before the roll-ups has not:
 * its reports read the raw rows until `npm run rollups:rebuild` has run. Returns whether built.
 */
export async function ensureRollupState(models: Models): Promise<boolean> {
  if (await rollupsBuilt(models)) return true;
  const [click, conversion, entry] = await Promise.all([
    models.Click.exists({}),
    models.Conversion.exists({}),
    models.LedgerEntry.exists({}),
  ]);
  if (click || conversion || entry) return false;
  await markRollupsBuilt(models, 'empty database at start');
  return true;
}
