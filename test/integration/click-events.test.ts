import request from 'supertest';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createApp } from '../../api/app';
import { useTestStack } from '../support/preamble';
import { startReceiver, type Receiver } from '../support/receiver';
import { TEST_ADMIN_KEY } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * click.created (opt-in, EVENTS_CLICK_CREATED): with it on, every redirected click is in the feed
 * before its 302, in the documented schema, and reaches the subscriptions that name it but not
 * those with `*`; with it off, no click is recorded as an event and a subscription naming it is
 * refused by field.
 */
const { stack, f } = useTestStack('click_events', { EVENTS_CLICK_CREATED: 'true' });
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const clickEventsOf = async (clickId: string) => {
  const res = await f.admin('get', '/api/events').query({ types: 'click.created', limit: 1000 });
  return (res.body.data as { id: string; data: { click_id: string } }[]).filter((e) => e.data.click_id === clickId);
};

test('each redirected click is a click.created event, before its 302, with the documented data', async () => {
  const s = await f.setup();
  const clickId = await f.click(s.offer.id, s.affiliate.id, { sub1: 'campaign-7' });
  // No waiting: the 302 went out only once the event was recorded.
  const [event] = await clickEventsOf(clickId);
  expect(event).toMatchObject({
    type: 'click.created',
    schema_version: 1,
    data: {
      click_id: clickId,
      offer_id: s.offer.id,
      affiliate_id: s.affiliate.id,
      advertiser_id: s.advertiser.id,
      subs: { sub1: 'campaign-7' },
    },
  });
  expect(JSON.stringify(event)).not.toContain('198.51.100.7'); // no IP address
  const doc = (await f.http().get('/openapi.json')).body as {
    webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: object }> } } }>;
    components: object;
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile({
    ...doc.webhooks['click.created']!.post.requestBody.content['application/json']!.schema,
    components: doc.components,
  });
  if (!validate(event)) throw new Error(`schema: ${JSON.stringify(validate.errors)}`);
});

test('a subscription gets click.created only when it names the type or its group; `*` leaves it out', async () => {
  const s = await f.setup();
  const subscribe = async (path: string, event_types: string[]) => {
    const res = await f
      .admin('post', '/api/subscriptions')
      .send({ url: `${receiver.url}${path}`, event_types, filter: { offer_id: s.offer.id } });
    expect(res.status).toBe(201);
  };
  await subscribe('/named', ['click.created']);
  await subscribe('/group', ['click.*']);
  await subscribe('/all', ['*']);
  const clickId = await f.click(s.offer.id, s.affiliate.id);
  await f.convert({ clickId, token: s.token }); // conversion events, for the `*` subscription
  const bodies = (path: string) =>
    receiver.requests.filter((r) => r.url === path).map((r) => JSON.parse(r.body) as { type: string; data: { click_id?: string } });
  await waitFor('the click at both that chose it', () =>
    bodies('/named').some((e) => e.data.click_id === clickId) && bodies('/group').some((e) => e.data.click_id === clickId)
      ? true
      : undefined,
  );
  await waitFor('the conversion events at the `*` subscription', () =>
    bodies('/all').some((e) => e.type === 'conversion.created') ? true : undefined,
  );
  expect(bodies('/all').filter((e) => e.type.startsWith('click.'))).toEqual([]);
});

test('with EVENTS_CLICK_CREATED off, clicks are not events and a subscription naming them is refused by field', async () => {
  const off = createApp({
    config: { ...stack.config, events: { ...stack.config.events, clickCreated: false } },
    temporal: stack.client,
    mongo: stack.mongo,
    models: stack.models,
  });
  const s = await f.setup();
  const res = await request(off.callback()).get('/click').query({ offer_id: s.offer.id, aff_id: s.affiliate.id });
  expect(res.status).toBe(302);
  const clickId = new URL(res.headers.location!).searchParams.get('cid')!;
  expect(await stack.models.Click.exists({ _id: clickId })).not.toBeNull();
  expect(await clickEventsOf(clickId)).toEqual([]);

  const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
  for (const types of [['conversion.created', 'click.created'], ['click.*']]) {
    const refused = await request(off.callback())
      .post('/api/subscriptions')
      .set(auth)
      .send({ url: `${receiver.url}/x`, event_types: types });
    expect(refused.status).toBe(400);
    expect(refused.body.issues).toEqual([
      expect.objectContaining({
        path: `event_types.${types.length - 1}`,
        code: 'not_recorded',
        message: expect.stringContaining('EVENTS_CLICK_CREATED=true'),
      }),
    ]);
  }
  const everything = await request(off.callback())
    .post('/api/subscriptions')
    .set(auth)
    .send({ url: `${receiver.url}/x`, event_types: ['*'] });
  expect(everything.status).toBe(201);
});
