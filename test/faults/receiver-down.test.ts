import { describeViolations } from './support/invariants';
import { FAULT_DELIVERY_ENV, outage, runScenario } from './support/scenario';
import { describeScenario, startFaultStack, type FaultStack } from './support/stack';

/**
 * Scenario 4: the affiliate's tracker goes away (connections refused) for 15 s under steady
 * load and comes back on the same address. Deliveries fail, the endpoint's breaker pauses
 * it, and once the tracker is back the backlog drains: every event delivered.
 */
describeScenario('fault: affiliate receiver down for 15 s, then back', undefined, () => {
  let stack: FaultStack;
  let failed = true;

  beforeAll(async () => {
    stack = await startFaultStack({ prefix: 'rcvdown', env: FAULT_DELIVERY_ENV });
  }, 240_000);

  afterAll(async () => {
    if (failed && stack) process.stderr.write(`[faults] logs kept in ${stack.saveLogs()}\n`);
    await stack?.stop({ keepLogs: failed || Boolean(process.env.POSTFLOW_KEEP_TEST_LOGS) });
  });

  it('drains the backlog: every event delivered, every failed attempt recorded', async () => {
    let downAt = 0;
    let upAt = 0;
    const result = await runScenario(stack, {
      title: 'affiliate receiver down 15 s',
      deliveries: 'succeeded',
      fault: async (s) => {
        downAt = Date.now();
        await s.receiver.down();
        await outage(15_000);
        await s.receiver.up();
        upAt = Date.now();
        return { faultAt: downAt, restoredAt: upAt };
      },
    });
    expect(result.load.unexpected).toEqual([]);
    // A new conversion never waits for the affiliate (status updates may queue behind the backlog).
    expect(result.load.counts().failedByKind.create ?? 0).toBe(0);
    // The outage was felt: attempts failed while the tracker was gone, and were recorded.
    const failedAttempts = await stack.models.DeliveryAttempt.countDocuments({
      outcome: 'retry',
      at: { $gte: new Date(downAt), $lt: new Date(upAt) },
    });
    expect(failedAttempts).toBeGreaterThan(0);
    expect(describeViolations(result.report.violations)).toBe('');
    failed = false;
  }, 600_000);
});
