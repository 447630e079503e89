import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { createApp } from '../../api/app';
import { createLogger } from '../../observability/logger';
import { fixtures } from '../support/fixtures';
import { startReceiver, type ReceivedRequest, type Receiver } from '../support/receiver';
import { startTestStack, tapWorkerLog, type TestStack } from '../support/stack';
import { waitFor } from '../support/wait-for';

const HOUR = 3_600_000;

// The worker's clock (its activities sign with it and compare it with the overlap's end) runs
// `ahead` of the wall clock; moving it past the overlap needs no sleeping.
const clock = { aheadMs: 0 };
const worldNow = () => Date.now() + clock.aheadMs;

const stack = {} as TestStack;
const f = fixtures(stack);
const apiLog: string[] = [];
const workerLog: string[] = [];
let stopTap: () => void;
let receiver: Receiver;

beforeAll(async () => {
  Object.assign(stack, await startTestStack('secret_rotation', { now: () => new Date(worldNow()) }));
  // Every API line at every level, through the same app the fixtures call.
  stack.app = createApp({
    config: stack.config,
    temporal: stack.client,
    mongo: stack.mongo,
    models: stack.models,
    logger: createLogger({ level: 'debug', service: 'api', destination: { write: (line: string) => void apiLog.push(line) } }),
  });
  stopTap = tapWorkerLog((entry) => workerLog.push(`${entry.message} ${JSON.stringify(entry.meta ?? {})}`));
  receiver = await startReceiver();
});
afterAll(async () => {
  stopTap?.();
  await receiver?.close();
  await stack.stop?.();
});
beforeEach(() => {
  clock.aheadMs = 0;
  receiver.requests.length = 0;
});

/**
 * What the receiver's Standard Webhooks library says of a request, verified with one secret on
 * the receiver's clock, which agrees with the worker's (the library checks the timestamp's age).
 */
function verifies(secret: string, req: ReceivedRequest): boolean {
  const spy = jest.spyOn(Date, 'now').mockReturnValue(worldNow());
  try {
    new Webhook(secret).verify(req.body, req.headers as Record<string, string>);
    return true;
  } catch (err) {
    if (err instanceof WebhookVerificationError && err.message === 'No matching signature found') return false;
    throw err; // a stale timestamp or missing header would make the test prove nothing
  } finally {
    spy.mockRestore();
  }
}

const signatures = (req: ReceivedRequest) => String(req.headers['webhook-signature']).split(' ');

async function deliveredOnce(conversionId: string) {
  const [delivery] = await waitFor(`the delivery of ${conversionId}`, () => f.deliveriesIn(conversionId, 'succeeded'));
  return delivery!;
}

describe('signing-secret rotation with overlap', () => {
  it('signs with both secrets during the overlap (new first), then the new one only; no answer or log shows a secret', async () => {
    const s = await f.setup();
    const original = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const endpoint = await f.endpoint(s.affiliate.id, {
      url: `${receiver.url}/pb?e={event_id}`,
      method: 'POST',
      signing_secret: original,
    });

    const rotated = await f.admin('post', `/api/postbacks/${endpoint.id}/secret/rotate`).send({});
    expect(rotated.status).toBe(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    const fresh = rotated.body.signing_secret as string;
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(fresh).not.toBe(original);
    const overlapUntil = Date.parse(rotated.body.rotation_overlap_until as string);
    expect(Math.abs(overlapUntil - (Date.now() + 24 * HOUR))).toBeLessThan(60_000); // the default: 24 h

    // During the overlap: one header, two signatures, the new secret's first; each secret verifies the same request.
    const conversionId = await f.convert(s, { txid: 'rot-1' });
    const delivery = await deliveredOnce(conversionId);
    const during = receiver.requests[0]!;
    expect(signatures(during)).toHaveLength(2);
    expect(verifies(fresh, during)).toBe(true);
    expect(verifies(original, during)).toBe(true);
    expect(verifies(fresh, { ...during, headers: { ...during.headers, 'webhook-signature': signatures(during)[0] } })).toBe(true);

    // After the overlap (the worker's clock a day and an hour on), a redelivery of the same event carries the new one only.
    clock.aheadMs = 25 * HOUR;
    expect((await f.admin('post', `/api/deliveries/${delivery._id}/redeliver`)).status).toBe(202);
    const after = await waitFor('the redelivered request', () => receiver.requests[1]);
    expect(after.headers['webhook-id']).toBe(during.headers['webhook-id']);
    expect(signatures(after)).toHaveLength(1);
    expect(verifies(fresh, after)).toBe(true);
    expect(verifies(original, after)).toBe(false);
    await waitFor('the redelivery to end', async () => (await stack.models.Delivery.findById(delivery._id).lean())?.status === 'succeeded');

    // The delivery log says how many signatures went out, never one of them.
    const attempts = await f.admin('get', `/api/deliveries/${delivery._id}/attempts`);
    expect(attempts.body.data.map((a: { request_headers: Record<string, string> }) => a.request_headers['webhook-signature'])).toEqual([
      'v1,*** v1,***',
      'v1,***',
    ]);

    // Every answer that could carry it, after the rotation: none has either secret (nor its key's base64).
    const reads = await Promise.all(
      [
        `/api/postbacks/${endpoint.id}`,
        `/api/affiliates/${s.affiliate.id}/postbacks`,
        `/api/deliveries?affiliate_id=${s.affiliate.id}`,
        `/api/deliveries/${delivery._id}`,
        `/api/deliveries/${delivery._id}/attempts`,
        `/api/conversions/${conversionId}`,
        `/api/conversions/${conversionId}/history`,
        '/api/audit',
      ].map(async (path) => {
        const res = await f.admin('get', path);
        expect([path, res.status]).toEqual([path, 200]);
        return res.text;
      }),
    );
    const endpointRead = JSON.parse(reads[0]!) as Record<string, unknown>;
    expect(endpointRead).toMatchObject({ signing_secret_set: true, rotation_overlap_until: rotated.body.rotation_overlap_until });
    const audit = JSON.parse(reads[7]!) as { data: { action: string; target_id?: string }[] };
    expect(audit.data).toContainEqual(expect.objectContaining({ action: 'postback_endpoint.rotate_secret', target_id: endpoint.id }));

    const leaks = (text: string) =>
      [original, fresh].flatMap((secret) => [secret, secret.slice('whsec_'.length)]).filter((x) => text.includes(x));
    for (const text of reads) expect(leaks(text)).toEqual([]);
    expect(apiLog.length).toBeGreaterThan(0);
    expect(workerLog.some((line) => line.includes(delivery._id))).toBe(true); // the tap hears the delivery's lines
    expect(leaks(apiLog.join('\n'))).toEqual([]);
    expect(leaks(workerLog.join('\n'))).toEqual([]);
  });

  it('gives an endpoint without a secret its first one, with nothing to overlap; overlap 0 drops the old one at once', async () => {
    const s = await f.setup();
    const endpoint = await f.endpoint(s.affiliate.id, { url: `${receiver.url}/pb?e={event_id}` });
    expect((await f.admin('get', `/api/postbacks/${endpoint.id}`)).body).toMatchObject({ signing_secret_set: false });

    const first = await f.admin('post', `/api/postbacks/${endpoint.id}/secret/rotate`).send({});
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: endpoint.id, rotation_overlap_until: null });
    const second = await f.admin('post', `/api/postbacks/${endpoint.id}/secret/rotate`).send({ overlap_hours: 0 });
    expect(second.body).toMatchObject({ rotation_overlap_until: null });
    expect((await f.admin('get', `/api/postbacks/${endpoint.id}`)).body).toMatchObject({
      signing_secret_set: true,
      rotation_overlap_until: null,
    });

    await deliveredOnce(await f.convert(s, { txid: 'first-secret' }));
    const req = receiver.requests[0]!;
    expect(signatures(req)).toHaveLength(1);
    expect(verifies(second.body.signing_secret, req)).toBe(true);
    expect(verifies(first.body.signing_secret, req)).toBe(false);
  });

  it('refuses an overlap outside 0–168 hours, naming the field, and a missing endpoint', async () => {
    const s = await f.setup();
    const endpoint = await f.endpoint(s.affiliate.id, { url: `${receiver.url}/pb` });
    const bad = await f.admin('post', `/api/postbacks/${endpoint.id}/secret/rotate`).send({ overlap_hours: 200 });
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([expect.objectContaining({ path: 'overlap_hours' })]);
    expect((await f.admin('post', '/api/postbacks/pb_missing/secret/rotate').send({})).status).toBe(404);
    expect((await f.admin('get', `/api/postbacks/${endpoint.id}`)).body).toMatchObject({ signing_secret_set: false });
  });
});
