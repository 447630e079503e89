import Koa from 'koa';
import request from 'supertest';
import { errorHandler, isDependencyDown } from '../../api/errors';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, ...extra });

describe('an unreachable dependency', () => {
  it('is recognised from MongoDB driver and Temporal client errors, and nothing else', () => {
    expect(isDependencyDown(named('MongoServerSelectionError'))).toBe(true);
    expect(isDependencyDown(named('MongoNetworkError'))).toBe(true);
    expect(isDependencyDown(named('MongooseServerSelectionError'))).toBe(true);
    expect(isDependencyDown(named('ServiceError', { cause: { code: 14 } }))).toBe(true); // gRPC UNAVAILABLE
    expect(isDependencyDown(named('ServiceError', { cause: { code: 3 } }))).toBe(false); // INVALID_ARGUMENT: a bug
    expect(isDependencyDown(named('MongoServerError'))).toBe(false); // the server answered: not an outage
    // insertMany during an outage (a click): the driver's error rides inside the bulk error.
    expect(isDependencyDown(named('MongoBulkWriteError', { errorResponse: named('MongoServerSelectionError') }))).toBe(true);
    expect(isDependencyDown(named('MongoBulkWriteError', { errorResponse: { message: 'E11000 duplicate key', code: 11000 } }))).toBe(false);
    // The server closed the socket under the driver mid-request (node's own error, code EPIPE).
    expect(isDependencyDown(Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' }))).toBe(true);
    expect(isDependencyDown(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isDependencyDown(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(false);
    expect(isDependencyDown(new TypeError('x is undefined'))).toBe(false);
    expect(isDependencyDown(undefined)).toBe(false);
  });

  it('answers 503 with Retry-After (advertisers retry), while a bug stays a 500', async () => {
    const app = new Koa();
    app.use(errorHandler(() => undefined));
    app.use((ctx) => {
      throw ctx.path === '/down' ? named('MongoServerSelectionError') : new TypeError('bug');
    });
    const down = await request(app.callback()).get('/down');
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.body).toMatchObject({ error: 'unavailable' });
    const bug = await request(app.callback()).get('/bug');
    expect(bug.status).toBe(500);
    expect(bug.body).toMatchObject({ error: 'internal' });
  });
});
