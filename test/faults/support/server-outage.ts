import { describeViolations } from './invariants';
import { MONGO_RECOVERY_DEADLINE_MS, mongoRecovery, replacedClients } from './recovery';
import { FAULT_DELIVERY_ENV, outage, runScenario } from './scenario';
import type { ClusterPart, OwnedServer } from './servers';
import { describeScenario, startFaultStack, type FaultStack, type Victim } from './stack';

/** Outage length: the scenario's own, or POSTFLOW_FAULTS_OUTAGE_MS (the repetition script varies it). */
const outageMs = (fallback: number) => Number(process.env.POSTFLOW_FAULTS_OUTAGE_MS ?? fallback);

/**
 * A server the system depends on (Temporal or MongoDB) goes away under steady load and comes
 * back on the same port with its data. The api and worker processes must carry on: the same
 * processes serve before and after, each is using MongoDB again within a few seconds of its
 * return, and nothing accepted is lost.
 */
export function describeServerOutage(opts: {
  title: string;
  victim: Victim;
  summary: string;
  outageMs: number;
  takeDown: (server: OwnedServer) => Promise<void>;
  /** Runs on a Temporal cluster (POSTFLOW_TEMPORAL=cluster's) and takes down this part of it; the victim is then 'temporal'. */
  clusterPart?: ClusterPart;
}): void {
  const temporal = opts.clusterPart ? 'cluster' : 'dev';
  describeScenario(
    opts.title,
    opts.victim,
    () => {
      let stack: FaultStack;
      let failed = true;
      let rescued: string[] = [];

      beforeAll(async () => {
        stack = await startFaultStack({ prefix: opts.clusterPart ?? opts.victim, victim: opts.victim, env: FAULT_DELIVERY_ENV, temporal });
      }, 240_000);

      afterAll(async () => {
        // Also when a watchdog had to rescue a stuck client: its driver events are the evidence issue 10 asks for.
        const keepLogs = failed || rescued.length > 0 || Boolean(process.env.POSTFLOW_KEEP_TEST_LOGS);
        if (keepLogs && stack) process.stderr.write(`[faults] logs kept in ${stack.saveLogs()}\n`);
        await stack?.stop({ keepLogs });
      });

      it('loses nothing accepted, and api and worker recover without a restart', async () => {
        const server = opts.clusterPart ? stack.cluster!.part(opts.clusterPart) : (stack[opts.victim] as OwnedServer);
        let recovery: Record<string, number | undefined> = {};
        const result = await runScenario(stack, {
          title: opts.summary,
          deliveries: 'succeeded',
          fault: async () => {
            const faultAt = Date.now();
            await opts.takeDown(server);
            await outage(outageMs(opts.outageMs));
            await server.restart();
            const restoredAt = Date.now();
            if (opts.victim === 'mongo') {
              recovery = await mongoRecovery({ api: stack.api, worker: stack.workers[0]! }, faultAt, restoredAt);
              // One line per run, read by test/faults/repeat.ts.
              // (`replaced=` names the processes whose watchdog replaced a stuck client: the driver did not recover by itself.)
              rescued = replacedClients({ api: stack.api, worker: stack.workers[0]! }, faultAt);
              process.stderr.write(
                `[faults] mongo recovery after ${outageMs(opts.outageMs)} ms down: ${Object.entries(recovery)
                  .map(([p, ms]) => `${p}=${ms ?? 'stuck'}`)
                  .join(' ')} replaced=${rescued.join(',') || 'none'}\n`,
              );
            }
            return { faultAt, restoredAt };
          },
        });
        expect(result.load.unexpected).toEqual([]);
        // The same processes served before and after: nobody had to restart them.
        expect(stack.api.child.exitCode).toBeNull();
        expect(stack.workers).toHaveLength(1);
        expect(stack.workers[0]!.child.exitCode).toBeNull();
        // ...and each was using MongoDB again soon after it was back (undefined: never, within a minute).
        const slow = Object.entries(recovery).filter(([, ms]) => ms === undefined || ms > MONGO_RECOVERY_DEADLINE_MS);
        expect(slow).toEqual([]);
        expect(describeViolations(result.report.violations)).toBe('');
        failed = false;
      }, 600_000);
    },
    temporal,
  );
}
