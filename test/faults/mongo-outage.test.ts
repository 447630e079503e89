import { describeViolations } from './support/invariants';
import { FAULT_DELIVERY_ENV, outage, runScenario } from './support/scenario';
import { describeScenario, startFaultStack, type FaultStack } from './support/stack';
import type { OwnedServer } from './support/servers';

/**
 * Scenario 3: MongoDB (file-backed) is stopped for 15 s under steady load and started again.
 * Postbacks get 5xx while it is gone (the click cannot be looked up) and the advertiser
 * retries; activities fail and Temporal retries them; the api and the worker reconnect.
 */
describeScenario('fault: MongoDB stopped for 15 s and restarted', 'mongo', () => {
  let stack: FaultStack;
  let failed = true;

  beforeAll(async () => {
    stack = await startFaultStack({ prefix: 'mongo', victim: 'mongo', env: FAULT_DELIVERY_ENV });
  }, 240_000);

  afterAll(async () => {
    if (failed && stack) process.stderr.write(`[faults] logs kept in ${stack.saveLogs()}\n`);
    await stack?.stop({ keepLogs: failed || Boolean(process.env.POSTFLOW_KEEP_TEST_LOGS) });
  });

  it('loses nothing accepted, and api and worker recover without a restart', async () => {
    const mongo = stack.mongo as OwnedServer;
    const result = await runScenario(stack, {
      title: 'MongoDB stopped 15 s',
      deliveries: 'succeeded',
      fault: async () => {
        const faultAt = Date.now();
        await mongo.stop();
        await outage(15_000);
        await mongo.restart();
        return { faultAt, restoredAt: Date.now() };
      },
    });
    expect(result.load.unexpected).toEqual([]);
    expect(stack.api.child.exitCode).toBeNull();
    expect(stack.workers).toHaveLength(1);
    expect(stack.workers[0]!.child.exitCode).toBeNull();
    expect(describeViolations(result.report.violations)).toBe('');
    failed = false;
  }, 600_000);
});
