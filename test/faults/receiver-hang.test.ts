import { describeViolations } from './support/invariants';
import { FAULT_DELIVERY_ENV, outage, runScenario } from './support/scenario';
import { describeScenario, startFaultStack, type FaultStack } from './support/stack';

const TIMEOUT_MS = Number(FAULT_DELIVERY_ENV.DELIVERY_TIMEOUT_MS);
/**
 * How much earlier than TIMEOUT_MS of wall-clock time a timed-out attempt may be recorded.
 * Node schedules a timer against the event loop's cached clock (libuv's uv_now, taken when the
 * loop iteration began), while the attempt's duration starts at Date.now() later in that
 * iteration; so the 1000 ms timer can fire when Date.now() says 999 ms (seen once in CI). The
 * lower bound is there to prove the attempt waited for the timeout instead of failing fast,
 * which a few milliseconds do not change.
 */
const TIMER_SLACK_MS = 5;

/**
 * Scenario 5: the affiliate's tracker accepts connections and never answers, for 15 s under
 * steady load. Every attempt must end at DELIVERY_TIMEOUT_MS (recorded as a timeout), so no
 * worker slot stays stuck on a dead request, and deliveries go through once it answers again.
 */
describeScenario('fault: affiliate receiver hanging without answering for 15 s', undefined, () => {
  let stack: FaultStack;
  let failed = true;

  beforeAll(async () => {
    stack = await startFaultStack({ prefix: 'rcvhang', env: FAULT_DELIVERY_ENV });
  }, 240_000);

  afterAll(async () => {
    if (failed && stack) process.stderr.write(`[faults] logs kept in ${stack.saveLogs()}\n`);
    await stack?.stop({ keepLogs: failed || Boolean(process.env.POSTFLOW_KEEP_TEST_LOGS) });
  });

  it('times every hung attempt out and delivers everything afterwards', async () => {
    let hangFrom = 0;
    let hangUntil = 0;
    const result = await runScenario(stack, {
      title: 'affiliate receiver hanging 15 s',
      deliveries: 'succeeded',
      fault: async (s) => {
        hangFrom = Date.now();
        s.receiver.otherwise('hang');
        await outage(15_000);
        s.receiver.otherwise({ status: 200, body: 'ok' });
        hangUntil = Date.now();
        return { faultAt: hangFrom, restoredAt: hangUntil };
      },
    });
    expect(result.load.unexpected).toEqual([]);
    // A new conversion never waits for the affiliate (status updates may queue behind the backlog).
    expect(result.load.counts().failedByKind.create ?? 0).toBe(0);

    // Every attempt that met the hanging tracker ended at the timeout, not later, and says so.
    const hung = await stack.models.DeliveryAttempt.find({
      at: { $gte: new Date(hangFrom), $lt: new Date(hangUntil - TIMEOUT_MS) },
      outcome: 'retry',
    }).lean();
    expect(hung.length).toBeGreaterThan(0);
    const slow = hung.filter(
      (a) =>
        !a.error?.includes(`timed out after ${TIMEOUT_MS} ms`) ||
        a.duration_ms! < TIMEOUT_MS - TIMER_SLACK_MS ||
        a.duration_ms! > TIMEOUT_MS + 2_000,
    );
    expect(slow.map((a) => `${a._id}: ${a.duration_ms} ms, ${a.error}`)).toEqual([]);
    expect(describeViolations(result.report.violations)).toBe('');
    failed = false;
  }, 600_000);
});
