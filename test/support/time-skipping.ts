import { Context } from '@temporalio/activity';
import type { Duration } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { allSearchAttributeKeys } from '../../temporal/search-attributes';
import { installQuietRuntime, startTestStack, type TestStack, type TestStackOptions } from './stack';
import { TEST_ENV } from './test-env';

/**
 * Tests whose subject is a timer (a hold period, the reversal window, the delivery schedule, a
 * breaker's pause) run against Temporal's time-skipping test server, so they assert the
 * production durations. Its clock stands still as a real one would until a test skips it ahead.
 * The clock is the server's, so every file that needs one starts its own server: two files
 * skipping one clock in parallel would fire each other's timers.
 */
export interface TimeSkippingStack extends TestStack {
  /**
   * Moves the server's clock `duration` ahead. Timers due on the way fire in order, and the
   * workflow and activity tasks they cause finish before the clock moves on and this returns.
   */
  skip(duration: Duration): Promise<void>;
  /** Lets the clock jump from timer to timer, whenever no task is running, while `wait` runs. */
  skipWhile<T>(wait: () => Promise<T>): Promise<T>;
  /** The server's clock. */
  now(): Promise<Date>;
}

/** Why this run has no time-skipping server (its tests are then skipped), or undefined. */
export function timeSkippingUnavailable(): string | undefined {
  if (process.env[TEST_ENV.timeSkippingServer]) return undefined;
  return (
    process.env[TEST_ENV.timeSkippingUnavailable] ??
    "no time-skipping server: run the tests through jest's integration project (globalSetup)"
  );
}

/** `describe`, or `describe.skip` with the reason in its title on a machine without the server. */
export function describeTimeSkipping(title: string, body: () => void): void {
  const reason = timeSkippingUnavailable();
  if (reason) describe.skip(`${title} (skipped: ${reason})`, body);
  else describe(title, body);
}

export async function startTimeSkippingStack(
  prefix: string,
  opts: Omit<TestStackOptions, 'temporalAddress' | 'now'> = {},
): Promise<TimeSkippingStack> {
  // Before the environment, which would install the SDK's chatty default. Each worker still warns
  // once that this server keeps no heartbeat details on failure: no postflow activity heartbeats.
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env[TEST_ENV.timeSkippingServer]! } },
  });
  let stack: TestStack;
  // The server's clock minus the wall clock, for local activities (temporalClock). The server moves
  // its clock only while no task runs, so between skips the difference holds; it is read again
  // after every skip, and every 20 ms while the clock may jump.
  const offset = { ms: 0 };
  const readOffset = async () => {
    const before = Date.now();
    const server = await env.currentTimeMs();
    offset.ms = server - Math.round((before + Date.now()) / 2);
  };
  try {
    await readOffset();
    // A fresh server knows none (and cannot list them, so ensureSearchAttributes does not apply).
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(allSearchAttributeKeys.map((key) => [key.name, keyword])),
    });
    stack = await startTestStack(prefix, { ...opts, temporalAddress: env.address, now: () => temporalClock(offset.ms) });
  } catch (err) {
    await env.teardown();
    throw err;
  }
  const testService = env.connection.testService!;
  return {
    ...stack,
    async skip(duration) {
      await env.sleep(duration);
      await readOffset();
    },
    async skipWhile(wait) {
      await testService.unlockTimeSkipping({});
      const poll = setInterval(() => void readOffset().catch(() => undefined), 20);
      try {
        return await wait();
      } finally {
        clearInterval(poll);
        await testService.lockTimeSkipping({});
        await readOffset();
      }
    },
    now: async () => new Date(await env.currentTimeMs()),
    async stop() {
      await stack.stop();
      await env.teardown();
    },
  };
}

const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD; // every postflow attribute is one

const firstRead = new WeakMap<Context, number>();

/**
 * The activities' clock must be the server's, or a breaker's pause (written by one attempt, read
 * by the next after a skipped sleep) would never end. A remote activity learns it from its
 * attempt's schedule time; a local activity (the first delivery attempt, made inside the
 * conversion workflow, writes an attempt row) from the wall clock and the last known offset;
 * code outside an activity reads the wall clock.
 */
function temporalClock(offsetMs: number): Date {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return new Date(); // not inside an activity
  }
  if (context.info.isLocal) return new Date(Date.now() + offsetMs);
  const since = firstRead.get(context) ?? Date.now();
  firstRead.set(context, since);
  return new Date(context.info.currentAttemptScheduledTimestampMs + (Date.now() - since));
}
