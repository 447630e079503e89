import { buildJavaLauncher, mongoFlavour } from './infra/mongo';
import { MissingToolError } from './infra/paths';
import { postgresBinDir } from './infra/postgres';
import { temporalProfile } from './infra/provision';
import { resolveTemporalCli } from './infra/temporal';
import { resolveClusterBinaries } from './infra/temporal-cluster';
import { resolveTimeSkippingServer } from './infra/temporal-test-server';

/**
 * `npm run infra:prepare`: builds or fetches, once, what the embedded infrastructure needs
 * (the Temporal CLI, mongo-java-server, the time-skipping test server, and with POSTFLOW_TEMPORAL=cluster
 * the Temporal server and its SQL tool), into the cache outside the clone. `npm start` and
 * `npm test` do the same on demand; CI calls this first so the build shows as its own step.
 * Servers named by TEMPORAL_ADDRESS / MONGO_URL need nothing.
 */
const log = (line: string) => console.log(`[infra] ${line}`);

async function prepare(): Promise<void> {
  if (process.env.TEMPORAL_ADDRESS) log(`temporal: using ${process.env.TEMPORAL_ADDRESS}, nothing to build`);
  else {
    const cli = await resolveTemporalCli(log);
    log(
      cli
        ? `temporal: ${cli}`
        : 'temporal: no CLI and no Go; the dev server will be downloaded by @temporalio/testing on first start (needs internet)',
    );
  }
  if (!process.env.TEMPORAL_ADDRESS && temporalProfile({ env: process.env }) === 'cluster') {
    const bins = await resolveClusterBinaries(log);
    log(`temporal cluster: ${bins.server}, ${bins.sqlTool}`);
    const pg = postgresBinDir();
    log(pg ? `postgresql: ${pg}` : 'postgresql: not installed; POSTFLOW_TEMPORAL=cluster needs it (apt-get install postgresql)');
  }
  if (process.env.MONGO_URL) log('mongodb: using MONGO_URL, nothing to fetch');
  else {
    const flavour = mongoFlavour();
    if (flavour === 'mongo-java-server') buildJavaLauncher(log);
    log(`mongodb: ${flavour}`);
  }
  // Only the tests use it (their timers), so it is fetched whatever TEMPORAL_ADDRESS says.
  const testServer = resolveTimeSkippingServer(process.env, log);
  log('executable' in testServer ? `temporal test server: ${testServer.how}` : `temporal test server: none, ${testServer.unavailable}`);
}

const command = process.argv[2] ?? 'prepare';
if (command !== 'prepare') {
  console.error(`usage: infra-cli.ts prepare (got "${command}")`);
  process.exit(2);
}
prepare().catch((err: unknown) => {
  console.error(`postflow: ${err instanceof MissingToolError ? err.message : ((err as Error)?.stack ?? String(err))}`);
  process.exit(1);
});
