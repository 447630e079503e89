import Router from '@koa/router';
import Koa from 'koa';
import request from 'supertest';
import { ApiError, errorHandler } from '../../api/errors';
import { annotateRequest, requestContext } from '../../api/request-context';
import { postbackAliases } from '../../api/schemas/postback';
import { createApiMetrics } from '../../observability/api-metrics';
import { createLogger } from '../../observability/logger';
import { PinoTemporalLogger, temporalLogFields } from '../../observability/temporal-logger';
import { parseMetrics, sample } from '../support/prometheus';

/** A logger whose JSON lines are kept, raw and parsed. */
function captured(level: 'debug' | 'info' = 'debug') {
  const raw: string[] = [];
  const logger = createLogger({
    level,
    service: 'test',
    destination: { write: (line: string) => void raw.push(line) },
  });
  return { logger, raw, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const TOKEN = 'pt_Q2hhbmdlTWVQbGVhc2UtdGhpcy1pcy1zZWNyZXQ';
const SECRET = 'whsec_c2lnbmluZy1zZWNyZXQtZm9yLXRlc3RzLW9ubHk=';
const ADMIN = 'pf_admin_adminKeyThatMustNeverBeLogged';

describe('createLogger: secrets never reach a line', () => {
  it('censors secret fields at any depth and keeps the rest', () => {
    const { logger, raw, lines } = captured();
    logger.info(
      {
        click_id: 'clk_1',
        token: 'plain-token-value-1',
        endpoint: { signing_secret: 'plain-secret-value-2', signing_secret_set: true, url: 'https://t.example/pb' },
        headers: { authorization: 'Bearer plain-bearer-3', 'x-postback-token': 'plain-header-4' },
        nested: [{ deeper: { admin_api_key: 'plain-admin-5', password: 'plain-pass-6' } }],
      },
      'postback',
    );
    const text = raw.join('');
    for (const secret of [
      'plain-token-value-1',
      'plain-secret-value-2',
      'plain-bearer-3',
      'plain-header-4',
      'plain-admin-5',
      'plain-pass-6',
    ])
      expect(text).not.toContain(secret);
    const [line] = lines();
    expect(line).toMatchObject({ level: 'info', service: 'test', msg: 'postback', click_id: 'clk_1', token: '***' });
    expect(line!.endpoint).toEqual({ signing_secret: '***', signing_secret_set: true, url: 'https://t.example/pb' });
  });

  it('masks every postback token alias and secret-looking parameter in URLs, keeping the others', () => {
    const { logger, lines } = captured();
    const names = ['token', ...postbackAliases.token!, 'api_key', 'sig', 'password'];
    const url = `/postback?click_id=clk_9&txid=order-1&${names.map((n, i) => `${n}=value${i}secret`).join('&')}`;
    logger.info({ url }, `GET ${url}`);
    const [line] = lines();
    for (const value of [line!.url, line!.msg] as string[]) {
      expect(value).toContain('click_id=clk_9&txid=order-1');
      for (const [i, name] of names.entries()) {
        expect(value).toContain(`${name}=***`);
        expect(value).not.toContain(`value${i}secret`);
      }
    }
  });

  it('scrubs token, signing secret, admin key, Bearer and URL credentials out of messages and errors', () => {
    const { logger, raw } = captured();
    logger.warn(`advertiser token ${TOKEN} and secret ${SECRET}`);
    logger.error({ err: new Error(`could not reach https://user:hunter2@t.example/?k=1 with Bearer ${ADMIN}`) }, 'failed');
    logger.error(new Error(`signing with ${SECRET} failed`));
    const text = raw.join('');
    for (const secret of [TOKEN, SECRET, ADMIN, 'hunter2', 'c2lnbmluZy1zZWNyZXQ']) expect(text).not.toContain(secret);
    expect(text).toContain('pt_***');
    expect(text).toContain('whsec_***');
    const err = JSON.parse(raw[1]!).err as Record<string, unknown>;
    expect(err).toMatchObject({ type: 'Error', message: expect.stringContaining('https://***@t.example/') });
    expect(err.stack).toEqual(expect.stringContaining('Error: could not reach'));
  });

  it('respects its level', () => {
    const { logger, raw } = captured('info');
    logger.debug('hidden');
    logger.info('shown');
    expect(raw).toHaveLength(1);
  });
});

describe('Temporal logger adapter', () => {
  it('maps SDK metadata to snake_case fields, derives conversion and delivery ids, drops the task token', () => {
    expect(
      temporalLogFields({
        workflowId: 'conversion-cv_0123abcd',
        runId: 'r-1',
        workflowType: 'processConversion',
        sdkComponent: 'workflow',
        taskQueue: 'q',
      }),
    ).toEqual({
      workflow_id: 'conversion-cv_0123abcd',
      run_id: 'r-1',
      workflow_type: 'processConversion',
      component: 'workflow',
      task_queue: 'q',
      conversion_id: 'cv_0123abcd',
    });
    expect(
      temporalLogFields({
        workflowId: 'conversion-cv_0123abcd-late-reversed',
        workflowRunId: 'r-2',
        activityType: 'recordTransition',
        taskToken: 'dG9rZW4=',
        isLocal: false,
      }),
    ).toEqual({
      workflow_id: 'conversion-cv_0123abcd-late-reversed',
      run_id: 'r-2',
      activity_type: 'recordTransition',
      conversion_id: 'cv_0123abcd',
    });
    // An activity that knows the conversion says so; the delivery id comes from the workflow id.
    expect(temporalLogFields({ workflowId: 'delivery-dl_42', conversion_id: 'cv_9' })).toEqual({
      workflow_id: 'delivery-dl_42',
      conversion_id: 'cv_9',
      delivery_id: 'dl_42',
    });
    expect(temporalLogFields(undefined)).toEqual({});
  });

  it('writes through pino at the mapped level, filtered by the logger level', () => {
    const { logger, lines } = captured('info');
    const adapter = new PinoTemporalLogger(logger);
    adapter.debug('dropped', { workflowId: 'conversion-cv_1' });
    adapter.log('WARN', 'Activity failed', {
      workflowId: 'conversion-cv_1',
      activityType: 'attemptDelivery',
      error: new Error(`bad ${TOKEN}`),
    });
    const out = lines();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      level: 'warn',
      msg: 'Activity failed',
      workflow_id: 'conversion-cv_1',
      conversion_id: 'cv_1',
      activity_type: 'attemptDelivery',
      err: { message: 'bad pt_***' },
    });
  });
});

describe('request context middleware', () => {
  function app() {
    const log = captured();
    const metrics = createApiMetrics({ defaultMetrics: false });
    const router = new Router();
    router.get('/things/:id', (ctx) => {
      annotateRequest(ctx, { conversion_id: 'cv_7', workflow_id: 'conversion-cv_7' });
      ctx.body = { id: ctx.params.id };
    });
    router.get('/boom', () => {
      throw new Error(`exploded with ${TOKEN}`);
    });
    router.get('/refused', () => {
      throw new ApiError(401, 'invalid_token', 'no');
    });
    const koa = new Koa();
    koa
      .use(requestContext({ logger: log.logger, metrics }))
      .use(errorHandler(log.logger))
      .use(router.routes());
    return { http: () => request(koa.callback()), log, metrics };
  }

  it('assigns a request id, echoes it, and writes one access line with the route pattern and a masked URL', async () => {
    const { http, log, metrics } = app();
    const res = await http().get(`/things/abc123?token=${TOKEN}&x=1`);
    expect(res.status).toBe(200);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const [line] = log.lines();
    expect(line).toMatchObject({
      msg: 'request',
      request_id: id,
      method: 'GET',
      route: '/things/:id',
      status: 200,
      url: '/things/abc123?token=***&x=1',
      conversion_id: 'cv_7',
      workflow_id: 'conversion-cv_7',
    });
    expect(typeof line!.duration_ms).toBe('number');
    expect(log.raw.join('')).not.toContain(TOKEN);

    const families = parseMetrics(await metrics.registry.metrics());
    expect(sample(families, 'postflow_http_requests_total', { method: 'GET', route: '/things/:id', status: '200' })).toBe(1);
    expect(sample(families, 'postflow_http_request_duration_seconds', { route: '/things/:id' })).toBe(1);
    expect((await metrics.registry.metrics()).includes('abc123')).toBe(false);
  });

  it('honours a sane X-Request-Id and replaces one that is not', async () => {
    const { http } = app();
    expect((await http().get('/things/1').set('X-Request-Id', 'lb-7f3a.42:9')).headers['x-request-id']).toBe('lb-7f3a.42:9');
    for (const bad of ['has spaces in it', 'x'.repeat(129), 'semi;colon', '<script>']) {
      const echoed = (await http().get('/things/1').set('X-Request-Id', bad)).headers['x-request-id'];
      expect(echoed).not.toBe(bad);
      expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('an unexpected error is one error line with the request id (no secret), and the access line counts the 500', async () => {
    const { http, log, metrics } = app();
    const res = await http().get('/boom');
    expect(res.status).toBe(500);
    const lines = log.lines();
    expect(lines.map((l) => l.level)).toEqual(['error', 'info']);
    expect(lines[0]).toMatchObject({
      request_id: res.headers['x-request-id'],
      msg: expect.stringContaining('unhandled error'),
      err: { message: 'exploded with pt_***' },
    });
    expect(lines[1]).toMatchObject({ request_id: res.headers['x-request-id'], route: '/boom', status: 500 });
    expect(log.raw.join('')).not.toContain(TOKEN);

    await http().get('/nowhere/42');
    await http().get('/refused');
    const families = parseMetrics(await metrics.registry.metrics());
    expect(sample(families, 'postflow_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(sample(families, 'postflow_http_requests_total', { route: '/refused', status: '401' })).toBe(1);
  });
});
