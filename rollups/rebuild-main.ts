import { loadConfigOrExit } from '../config';
import { openStore } from '../system/store';
import { rebuildRollups } from './rebuild';

/**
 * `npm run rollups:rebuild` (in the image: `node dist/rollups/rebuild-main.js`): builds the
 * report roll-ups of MONGO_URL from its raw rows, month by month, printing each month as it is
 * done. Once per existing database after upgrading, with the API and the worker stopped.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const store = await openStore(config.mongo.url);
  const started = Date.now();
  try {
    await rebuildRollups(store.models, (p) =>
      console.log(
        `${p.month}: ${p.clicks} clicks, ${p.conversions} conversions, ${p.ledgerEntries} ledger entries → ${p.buckets} buckets ` +
          `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
      ),
    );
    console.log(`report roll-ups rebuilt in ${((Date.now() - started) / 1000).toFixed(1)} s; reports now read them`);
  } finally {
    await store.close();
  }
}

main().catch((err) => {
  console.error(`postflow: rollups rebuild failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
