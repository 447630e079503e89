import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { acceptConversion } from '../../api/accept-conversion';
import { ApiError } from '../../api/errors';
import { useTestStack } from '../support/preamble';

/**
 * A new conversion's workflow start answers within its bound. A Temporal frontend that accepts
 * the connection and then says nothing (what a cluster whose history host or database is
 * restarting looks like from outside: the frontend holds the call while it retries) is played by
 * a TCP server that never writes a byte. The advertiser gets a 503 with Retry-After after
 * WORKFLOW_START_WAIT_MS (10 s), never a request that hangs.
 */
describe('a workflow start the server does not confirm', () => {
  const { stack, f } = useTestStack('start-bound');
  let silent: net.Server;
  const sockets = new Set<net.Socket>();
  let connection: Connection;

  beforeAll(async () => {
    silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    connection = Connection.lazy({ address: `127.0.0.1:${port}` });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await connection?.close();
    await new Promise((resolve) => silent?.close(resolve));
  });

  it('answers 503 unavailable with Retry-After within the bound, saying to send it again', async () => {
    const { advertiser, affiliate, offer, clickId } = await f.setup();
    const click = { _id: clickId, offer_id: offer.id, affiliate_id: affiliate.id, advertiser_id: advertiser.id };
    const stored = await stack.models.Offer.findById(offer.id).lean();
    const deps = {
      temporal: new Client({ connection, namespace: 'default' }),
      models: stack.models,
      taskQueue: stack.taskQueue,
      reversalWindowHours: 720,
      now: () => new Date(),
    };
    const started = Date.now();
    const outcome = await acceptConversion(deps, click, stored!, { txid: 'bound-1', amount: '10.00', ip: '127.0.0.1' }).catch((e) => e);
    const waited = Date.now() - started;
    expect(outcome).toBeInstanceOf(ApiError);
    const err = outcome as ApiError;
    expect([err.status, err.code]).toEqual([503, 'unavailable']);
    expect(err.headers).toEqual({ 'Retry-After': '5' });
    expect(err.message).toContain('send the same request again');
    // Bounded by the 10 s deadline, with a margin for a loaded machine; without it the call waits for ever.
    expect(waited).toBeGreaterThanOrEqual(9_000);
    expect(waited).toBeLessThan(20_000);
  }, 60_000);
});
