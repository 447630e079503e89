import { describeViolations } from './invariants';
import { FAULT_DELIVERY_ENV, outage, runScenario } from './scenario';
import type { OwnedServer } from './servers';
import { describeScenario, startFaultStack, type FaultStack, type Victim } from './stack';

/**
 * A server the system depends on (Temporal or MongoDB) goes away under steady load and comes
 * back on the same port with its data. The api and worker processes must carry on: the same
 * processes serve before and after, and nothing accepted is lost.
 */
export function describeServerOutage(opts: { title: string; victim: Victim; summary: string; outageMs: number; takeDown: (server: OwnedServer) => Promise<void> }): void {
  describeScenario(opts.title, opts.victim, () => {
    let stack: FaultStack;
    let failed = true;

    beforeAll(async () => {
      stack = await startFaultStack({ prefix: opts.victim, victim: opts.victim, env: FAULT_DELIVERY_ENV });
    }, 240_000);

    afterAll(async () => {
      if (failed && stack) process.stderr.write(`[faults] logs kept in ${stack.saveLogs()}\n`);
      await stack?.stop({ keepLogs: failed || Boolean(process.env.POSTFLOW_KEEP_TEST_LOGS) });
    });

    it('loses nothing accepted, and api and worker recover without a restart', async () => {
      const server = stack[opts.victim] as OwnedServer;
      const result = await runScenario(stack, {
        title: opts.summary,
        deliveries: 'succeeded',
        fault: async () => {
          const faultAt = Date.now();
          await opts.takeDown(server);
          await outage(opts.outageMs);
          await server.restart();
          return { faultAt, restoredAt: Date.now() };
        },
      });
      expect(result.load.unexpected).toEqual([]);
      // The same processes served before and after: nobody had to restart them.
      expect(stack.api.child.exitCode).toBeNull();
      expect(stack.workers).toHaveLength(1);
      expect(stack.workers[0]!.child.exitCode).toBeNull();
      expect(describeViolations(result.report.violations)).toBe('');
      failed = false;
    }, 600_000);
  });
}
