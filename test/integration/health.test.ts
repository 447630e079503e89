import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { createApp } from '../../api/app';
import { freePort } from '../../scripts/infra/child';
import { useTestStack } from '../support/preamble';

const { stack } = useTestStack('health');

describe('/healthz and /readyz', () => {
  it('/healthz answers 200 and /readyz answers 200 when MongoDB and Temporal answer', async () => {
    expect((await request(stack.app.callback()).get('/healthz')).status).toBe(200);
    const ready = await request(stack.app.callback()).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { mongodb: 'ok', temporal: 'ok' } });
  });

  it('/readyz answers 503 naming Temporal when the Temporal server does not answer', async () => {
    // A lazy connection to a port nobody listens on: every call fails.
    // No retry interceptor: a call fails at once, and no retry timer outlives the closed connection.
    const deadTemporal = new Client({
      connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] }),
    });
    const app = createApp({
      config: stack.config,
      temporal: deadTemporal,
      mongo: stack.mongo,
      models: stack.models,
      log: () => undefined,
    });
    const res = await request(app.callback()).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('unavailable');
    expect(res.body.checks.mongodb).toBe('ok');
    expect(res.body.checks.temporal).toMatch(/^unavailable/);
    await deadTemporal.connection.close();
  });
});
