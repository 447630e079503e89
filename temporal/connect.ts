import { Connection, type Client } from '@temporalio/client';

/** How long to pause between tries while Temporal is unreachable at start-up (each try has its own 5 s timeout). */
const RETRY_PAUSE_MS = 1_000;

/**
 * Runs `connect` until it succeeds: services start in any order, and a process started before
 * Temporal must come up when Temporal does. `onWait` is told about each failed try. Without
 * `onWait` the first failure is thrown (tests and tools that should fail fast).
 */
export async function untilReachable<T>(connect: () => Promise<T>, onWait?: (err: Error, attempt: number) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (err) {
      if (!onWait) throw err;
      onWait(err as Error, attempt);
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
  }
}

/** The start-up log line while Temporal is not there yet. */
export function temporalWaitLog(log: { warn(fields: Record<string, unknown>, msg: string): void }, address: string) {
  return (err: Error, attempt: number) =>
    log.warn(
      { attempt, temporal_address: address, err: { message: err.message } },
      `waiting for Temporal at ${address} (try ${attempt} failed: ${err.message}); trying again`,
    );
}

/** A connection to Temporal's frontend; with `onWait` it waits for Temporal, else fails fast with the address in the message. */
export async function connectTemporal(address: string, onWait?: (err: Error, attempt: number) => void): Promise<Connection> {
  try {
    return await untilReachable(() => Connection.connect({ address, connectTimeout: '5 seconds' }), onWait);
  } catch (err) {
    throw new Error(`cannot reach Temporal at ${address}: ${(err as Error).message}`);
  }
}

/** Readiness probe: a cheap round trip to the frontend, bounded by a deadline. */
export async function pingTemporal(client: Client, timeoutMs = 2_000): Promise<void> {
  await client.connection.withDeadline(Date.now() + timeoutMs, () => client.connection.workflowService.getSystemInfo({}));
}
