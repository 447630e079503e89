import { randomBytes } from 'node:crypto';
import { freePort } from '../../scripts/infra/child';
import { useProcesses } from '../support/preamble';
import { setupOverHttp, type Proc } from '../support/processes';
import { sample, scrape } from '../support/prometheus';
import { startReceiver, type Receiver } from '../support/receiver';
import { waitFor } from '../support/wait-for';

type Line = Record<string, unknown>;

/**
 * The shipped processes as production runs them: the API's /metrics, the worker's Prometheus
 * endpoint (the Temporal SDK's series and postflow's, from one Runtime), and both processes'
 * JSON log lines, while a conversion is accepted, decided and delivered to a signed endpoint.
 */
describe('metrics and logs of the api and worker processes', () => {
  const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const urlSecret = `urlsecret${randomBytes(8).toString('hex')}`;
  let workerMetricsUrl: string;
  const processes = useProcesses('obs', async () => {
    const metricsPort = await freePort();
    workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    return {
      LOG_LEVEL: 'debug', // the SDK's workflow lines are debug; and the more lines, the stronger the secret check
      WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      DELIVERY_SCHEDULE: '0s,300ms,1s',
      DELIVERY_TIMEOUT_MS: '1500',
      DELIVERY_ALLOWED_NETWORKS: '127.0.0.0/8',
    };
  });
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
  });

  const lines = (proc: Proc): Line[] =>
    proc
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as Line;
        } catch {
          throw new Error(`not a JSON log line: ${l}`);
        }
      });

  const everySeriesMoves =
    'a processed conversion moves the API, postflow worker and Temporal SDK series, and every line is JSON, traceable and secret-free';
  it(everySeriesMoves, async () => {
    const { env, apiUrl, api, worker } = processes;
    const apiBefore = (await scrape(`${apiUrl}/metrics`)).families;
    const workerBefore = await scrape(workerMetricsUrl);
    expect(workerBefore.contentType).toMatch(/^text\/plain/);

    const { admin, advertiser, affiliate, clickId } = await setupOverHttp(apiUrl, env.ADMIN_API_KEY!);
    await admin(`/api/affiliates/${affiliate.id}/postbacks`, {
      url: `${receiver.url}/pb?cid={click_id}&status={status}&api_key=${urlSecret}`,
      signing_secret: signingSecret,
    });
    receiver.reply({ status: 503 }); // the first attempt fails and is retried

    const res = await fetch(`${apiUrl}/postback?click_id=${clickId}&txid=obs-1&amount=5.00&token=${advertiser.postback_token}`, {
      headers: { 'x-request-id': 'obs-postback-1' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('obs-postback-1');
    const conversionId = ((await res.json()) as { conversion_id: string }).conversion_id;

    const auth = { authorization: `Bearer ${env.ADMIN_API_KEY}` };
    const delivery = await waitFor(
      'the delivery to succeed on its second attempt',
      async () => {
        const list = (await (await fetch(`${apiUrl}/api/deliveries?conversion_id=${conversionId}`, { headers: auth })).json()) as {
          data: { id: string; status: string }[];
        };
        return list.data[0]?.status === 'succeeded' ? list.data[0] : undefined;
      },
      30_000,
    );
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]!.headers['webhook-signature']).toMatch(/^v1,/);

    // Worker: postflow's series and the SDK's, from the one exporter.
    const workerSeries = await waitFor(
      'the worker series to move',
      async () => {
        const { families } = await scrape(workerMetricsUrl);
        const moved = (metric: string, labels: Record<string, string> = {}) =>
          sample(families, metric, labels) - sample(workerBefore.families, metric, labels);
        const figures = {
          approved: moved('postflow_conversions_total', { status: 'approved', reason: 'none' }),
          retried: moved('postflow_delivery_attempts_total', { outcome: 'retry' }),
          succeeded: moved('postflow_delivery_attempts_total', { outcome: 'success' }),
          timed: moved('postflow_delivery_attempt_duration_seconds'),
          finished: moved('postflow_deliveries_total', { status: 'succeeded' }),
          sdkWorkflowsCompleted: moved('temporal_workflow_completed_total'),
          sdkActivities: moved('temporal_activity_execution_latency'),
        };
        return Object.values(figures).every((v) => v >= 1) ? { figures, families } : undefined;
      },
      15_000,
    );
    expect(workerSeries.figures).toEqual({
      approved: 1,
      retried: 1,
      succeeded: 1,
      timed: 2,
      finished: 1,
      sdkWorkflowsCompleted: 1,
      sdkActivities: expect.any(Number),
    });
    expect(workerSeries.families.get('postflow_delivery_attempts_total')?.type).toBe('COUNTER');
    expect(workerSeries.families.get('postflow_delivery_attempt_duration_seconds')?.type).toBe('HISTOGRAM');

    // API: the postback and its HTTP request.
    const apiAfter = (await scrape(`${apiUrl}/metrics`)).families;
    const apiMoved = (metric: string, labels: Record<string, string>) =>
      sample(apiAfter, metric, labels) - sample(apiBefore, metric, labels);
    expect(apiMoved('postflow_postbacks_total', { result: 'accepted' })).toBe(1);
    expect(apiMoved('postflow_http_requests_total', { method: 'GET', route: '/postback', status: '200' })).toBe(1);

    // Logs: the lines that concern this conversion say so. Activity lines pass the SDK's log
    // buffer (about 100 ms), hence the wait.
    const workerLines = await waitFor('the delivery lines', () => {
      const all = lines(worker);
      return all.some((l) => l.msg === 'delivery succeeded') ? all : undefined;
    });
    const apiLines = lines(api);
    expect(apiLines.find((l) => l.request_id === 'obs-postback-1' && l.msg === 'request')).toMatchObject({
      service: 'api',
      route: '/postback',
      status: 200,
      conversion_id: conversionId,
      workflow_id: `conversion-${conversionId}`,
      url: expect.stringContaining('token=***'),
    });
    expect(workerLines.find((l) => l.msg === 'conversion processing -> approved')).toMatchObject({
      service: 'worker',
      component: 'activity',
      activity_type: 'recordTransition',
      workflow_id: `conversion-${conversionId}`,
      conversion_id: conversionId,
    });
    // The workflow logger (`log` from @temporalio/workflow, through the runtime logger) lands there too.
    expect(workerLines.find((l) => l.msg === 'Workflow started' && l.workflow_type === 'processConversion')).toMatchObject({
      level: 'debug',
      workflow_id: `conversion-${conversionId}`,
      conversion_id: conversionId,
      run_id: expect.any(String),
    });
    const attempts = workerLines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('delivery attempt'));
    expect(attempts.map((l) => [l.msg, l.level])).toEqual([
      ['delivery attempt 1: retry (503)', 'warn'],
      ['delivery attempt 2: success (200)', 'info'],
    ]);
    // Attempt 1 is made inside the conversion workflow; the retry workflow makes attempt 2.
    for (const [line, workflowId] of attempts.map((l, i) => [l, i === 0 ? `conversion-${conversionId}` : `delivery-${delivery.id}`])) {
      expect(line).toMatchObject({
        conversion_id: conversionId,
        delivery_id: delivery.id,
        workflow_id: workflowId,
        url: expect.stringContaining('api_key=***'),
      });
    }

    // No secret in any line of either process.
    const everything = api.output() + worker.output();
    for (const secret of [advertiser.postback_token!, env.ADMIN_API_KEY!, signingSecret, signingSecret.slice('whsec_'.length), urlSecret]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('both processes stop cleanly on SIGTERM, still writing JSON', async () => {
    const { api, worker } = processes;
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(await worker.exited).toBe(0);
    expect(lines(api).map((l) => l.msg)).toContain('api stopped');
    expect(lines(worker).map((l) => l.msg)).toContain('worker stopped');
  });
});
