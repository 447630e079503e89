import { describeViolations } from './support/invariants';
import { FAULT_DELIVERY_ENV, outage, runScenario } from './support/scenario';
import { describeScenario, startFaultStack, type FaultStack } from './support/stack';
import type { OwnedServer } from './support/servers';

/**
 * Scenario 2: the Temporal server (dev server with its SQLite database file) is SIGKILLed
 * under steady load and started again on the same port with the same file. Postbacks fail
 * (5xx or no answer) while it is gone and the advertiser retries them; the api and the worker
 * reconnect by themselves; every workflow started before the crash carries on.
 */
describeScenario('fault: Temporal server killed (SIGKILL) and restarted on the same port', 'temporal', () => {
  let stack: FaultStack;
  let failed = true;

  beforeAll(async () => {
    stack = await startFaultStack({ prefix: 'temporal', victim: 'temporal', env: FAULT_DELIVERY_ENV });
  }, 240_000);

  afterAll(async () => {
    if (failed && stack) process.stderr.write(`[faults] logs kept in ${stack.saveLogs()}\n`);
    await stack?.stop({ keepLogs: failed || Boolean(process.env.POSTFLOW_KEEP_TEST_LOGS) });
  });

  it('loses nothing accepted, and api and worker recover without a restart', async () => {
    const temporal = stack.temporal as OwnedServer;
    const result = await runScenario(stack, {
      title: 'Temporal server SIGKILL + restart',
      deliveries: 'succeeded',
      fault: async () => {
        const faultAt = Date.now();
        await temporal.kill();
        await outage(8_000);
        await temporal.restart();
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
