import { describeViolations } from './support/invariants';
import { FAULT_DELIVERY_ENV, outage, runScenario } from './support/scenario';
import { describeScenario, startFaultStack, type FaultStack } from './support/stack';

/**
 * Scenario 1: the only worker is SIGKILLed under steady load, with workflow tasks, database
 * steps and affiliate requests in flight, and a new one is started 5 s later (a supervisor's
 * restart delay), so a backlog builds. New conversions are still accepted meanwhile; the new
 * worker finishes everything the old one held.
 */
describeScenario('fault: worker killed (SIGKILL) mid-load and restarted', undefined, () => {
  let stack: FaultStack;
  let failed = true;

  beforeAll(async () => {
    stack = await startFaultStack({ prefix: 'worker', env: FAULT_DELIVERY_ENV });
  }, 180_000);

  afterAll(async () => {
    if (failed && stack) process.stderr.write(`[faults] logs kept in ${stack.saveLogs()}\n`);
    await stack?.stop({ keepLogs: failed || Boolean(process.env.POSTFLOW_KEEP_TEST_LOGS) });
  });

  it('loses nothing accepted and keeps every invariant', async () => {
    const result = await runScenario(stack, {
      title: 'worker SIGKILL',
      deliveries: 'succeeded',
      fault: async (s) => {
        const faultAt = Date.now();
        await s.killWorker();
        await outage(5_000);
        await s.startWorker();
        return { faultAt, restoredAt: Date.now() };
      },
    });
    expect(stack.workers).toHaveLength(2);
    expect(stack.workers[0]!.child.signalCode).toBe('SIGKILL');
    expect(result.load.unexpected).toEqual([]);
    // A new conversion does not need the worker: no creating postback may fail while it is down.
    expect(result.load.counts().failedByKind.create ?? 0).toBe(0);
    expect(describeViolations(result.report.violations)).toBe('');
    failed = false;
  }, 600_000);
});
