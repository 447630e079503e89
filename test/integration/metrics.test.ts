import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../observability/logger';
import { parseMetrics, sample } from '../support/prometheus';
import { useTestStack } from '../support/preamble';
import { TEST_ADMIN_KEY } from '../support/stack';
import { waitFor } from '../support/wait-for';

describe('API metrics and access lines', () => {
  const { stack, f } = useTestStack('metrics');

  const scrape = async () => {
    const res = await f.http().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return { text: res.text, families: parseMetrics(res.text) };
  };

  it('GET /metrics is Prometheus text whose HTTP and postback series move as postbacks are answered', async () => {
    const { token, clickId } = await f.setup();
    const before = await scrape();
    expect(before.families.get('process_cpu_user_seconds_total')?.type).toBe('COUNTER'); // default process metrics
    expect(before.families.has('nodejs_eventloop_lag_seconds')).toBe(true);

    const accepted = await f.http().get('/postback').query({ click_id: clickId, txid: 'm-1', token });
    expect(accepted.body.result).toBe('accepted');
    const conversionId = accepted.body.conversion_id as string;
    expect((await f.http().get('/postback').query({ click_id: clickId, txid: 'm-1', token })).body.result).toBe('duplicate');
    expect(
      (await f.http().get('/postback').query({ click_id: clickId, txid: 'm-1', token: 'pt_wrong-token-wrong-token' })).body.error,
    ).toBe('invalid_token');
    expect((await f.http().get('/postback').query({ click_id: 'no-such-click', token })).body.error).toBe('unknown_click');
    expect((await f.http().post('/postback').send({ token })).body.error).toBe('invalid_request');
    // Processed by the worker: approved; then the advertiser reverses it.
    await waitFor(
      'the conversion to be approved',
      async () => (await stack.models.Conversion.findById(conversionId).lean())?.status === 'approved',
    );
    expect((await f.http().get('/postback').query({ click_id: clickId, txid: 'm-1', status: 'reversed', token })).body.result).toBe(
      'status_update',
    );
    expect((await f.admin('get', `/api/conversions/${conversionId}`)).status).toBe(200);

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) =>
      sample(after.families, name, labels) - sample(before.families, name, labels);
    for (const result of ['accepted', 'duplicate', 'invalid_token', 'unknown_click', 'invalid_request', 'status_update']) {
      expect({ result, moved: moved('postflow_postbacks_total', { result }) }).toEqual({ result, moved: 1 });
    }
    expect(moved('postflow_http_requests_total', { method: 'GET', route: '/postback', status: '200' })).toBe(3);
    expect(moved('postflow_http_requests_total', { method: 'GET', route: '/postback', status: '401' })).toBe(1);
    expect(moved('postflow_http_requests_total', { method: 'POST', route: '/postback', status: '400' })).toBe(1);
    expect(moved('postflow_http_request_duration_seconds', { route: '/postback' })).toBe(6);
    expect(moved('postflow_http_requests_total', { method: 'GET', route: '/api/conversions/:id', status: '200' })).toBe(1);
    // Labels are route patterns: no id, click id or token ever becomes a series.
    for (const value of [conversionId, clickId, token, 'no-such-click']) expect(after.text).not.toContain(value);
  });

  it("access lines carry request_id, and a postback's its conversion_id and workflow_id; no token, whatever way it came", async () => {
    const raw: string[] = [];
    const logger = createLogger({
      level: 'debug',
      service: 'api',
      destination: { write: (line: string) => void raw.push(line) },
    });
    const app = createApp({
      config: stack.config,
      temporal: stack.client,
      mongo: stack.mongo,
      models: stack.models,
      logger,
    });
    const http = () => request(app.callback());
    const { token, clickId } = await f.setup();

    const byQuery = await http().get('/postback').query({ click_id: clickId, txid: 'l-1', token }).set('X-Request-Id', 'req-query-1');
    const byAlias = await http()
      .post('/postback')
      .type('form')
      .send({ clickid: clickId, txid: 'l-2', secure: token })
      .set('X-Request-Id', 'req-form-2');
    const byHeader = await http()
      .post('/postback')
      .send({ click_id: clickId, txid: 'l-3' })
      .set('X-Postback-Token', token)
      .set('X-Request-Id', 'req-header-3');
    const refused = await http().get(`/postback?click_id=${clickId}&security_token=${token}x`).set('X-Request-Id', 'req-bad-4');
    const admin = await http().get('/api/offers').set('Authorization', `Bearer ${TEST_ADMIN_KEY}`);
    expect([byQuery.status, byAlias.status, byHeader.status, refused.status, admin.status]).toEqual([200, 200, 200, 401, 200]);
    expect(byQuery.headers['x-request-id']).toBe('req-query-1');

    const text = raw.join('');
    for (const secret of [token, TEST_ADMIN_KEY]) expect(text).not.toContain(secret);
    const lines = raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    const access = (requestId: string) => lines.find((l) => l.request_id === requestId && l.msg === 'request');
    for (const [res, requestId, method] of [
      [byQuery, 'req-query-1', 'GET'],
      [byAlias, 'req-form-2', 'POST'],
      [byHeader, 'req-header-3', 'POST'],
    ] as const) {
      const id = res.body.conversion_id as string;
      expect(access(requestId)).toMatchObject({
        level: 'info',
        service: 'api',
        method,
        route: '/postback',
        status: 200,
        conversion_id: id,
        workflow_id: `conversion-${id}`,
      });
    }
    expect(access('req-query-1')!.url).toContain('token=***');
    expect(access('req-bad-4')).toMatchObject({ status: 401, url: expect.stringContaining('security_token=***') });
    expect(access('req-bad-4')).not.toHaveProperty('conversion_id'); // refused before any conversion exists
    expect(lines.find((l) => l.route === '/api/offers')).toMatchObject({
      request_id: admin.headers['x-request-id'],
      status: 200,
    });
  });
});
