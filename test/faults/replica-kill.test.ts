import { describeViolations } from './support/invariants';
import { FAULT_DELIVERY_ENV, runScenario } from './support/scenario';
import { describeScenario, startFaultStack, type FaultStack, type TemporalKind } from './support/stack';

/**
 * Scenario: two API and two worker processes on the same servers (what `API_PROCESSES=2
 * WORKER_PROCESSES=2 npm start` or two replicas of each run). Under steady load, spread
 * round-robin over both APIs by advertisers and browsers, one API and one worker are SIGKILLed
 * at the same moment and stay down: the survivors carry everything. An advertiser whose request
 * was refused or cut off sends it again (to the next API); the surviving worker takes over the
 * workflow tasks and activities the dead one held once their timeouts pass.
 *
 * Run twice: on the dev server, and on POSTFLOW_TEMPORAL=cluster's four services on PostgreSQL
 * (skipped with the reason where the cluster cannot run).
 */
for (const temporal of ['dev', 'cluster'] as TemporalKind[]) {
  const on = temporal === 'cluster' ? ' (cluster)' : '';
  describeScenario(
    `fault${on}: one of two APIs and one of two workers killed (SIGKILL) mid-load`,
    undefined,
    () => {
      let stack: FaultStack;
      let failed = true;

      beforeAll(async () => {
        stack = await startFaultStack({ prefix: `replicas_${temporal}`, env: FAULT_DELIVERY_ENV, apis: 2, workers: 2, temporal });
      }, 240_000);

      afterAll(async () => {
        if (failed && stack) process.stderr.write(`[faults] logs kept in ${stack.saveLogs()}\n`);
        await stack?.stop({ keepLogs: failed || Boolean(process.env.POSTFLOW_KEEP_TEST_LOGS) });
      });

      it('loses nothing accepted, and the surviving API and worker carry the load', async () => {
        const [, deadApi] = stack.apis;
        const [survivor, deadWorker] = stack.workers;
        const result = await runScenario(stack, {
          title: `one of two APIs and one of two workers SIGKILL${on}`,
          deliveries: 'succeeded',
          fault: async (s) => {
            const faultAt = Date.now();
            await Promise.all([s.killApi(deadApi!), s.killWorker(deadWorker)]);
            // Nothing is restarted: the outage of the killed pair lasts to the end.
            return { faultAt, restoredAt: Date.now() };
          },
        });
        expect(deadApi!.child.signalCode).toBe('SIGKILL');
        expect(deadWorker!.child.signalCode).toBe('SIGKILL');
        expect(survivor!.child.exitCode).toBeNull();
        expect(result.load.unexpected).toEqual([]);
        // What failed was a refused or cut connection to the dead API, never an error answer from the live one,
        // except a status update that waited past its bound while the dead worker's workflows moved
        // to the survivor (503 status_update_pending, sent again like any 503).
        const answeredNot200 = result.load.requests.filter(
          (r) => typeof r.outcome === 'number' && r.outcome !== 200 && !(r.kind === 'status' && r.outcome === 503),
        );
        expect(answeredNot200).toEqual([]);
        expect(describeViolations(result.report.violations)).toBe('');
        failed = false;
      }, 600_000);
    },
    temporal,
  );
}
