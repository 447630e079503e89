import { Client, Connection } from '@temporalio/client';

/** A Temporal client for the API; fails fast with the address in the message when unreachable. */
export async function connectTemporalClient(address: string, namespace: string): Promise<Client> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
    return new Client({ connection, namespace });
  } catch (err) {
    throw new Error(`cannot reach Temporal at ${address}: ${(err as Error).message}`);
  }
}

/** Readiness probe: a cheap round trip to the frontend, bounded by a deadline. */
export async function pingTemporal(client: Client, timeoutMs = 2_000): Promise<void> {
  await client.connection.withDeadline(Date.now() + timeoutMs, () => client.connection.workflowService.getSystemInfo({}));
}
