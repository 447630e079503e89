import request from 'supertest';
import { conversionIdFor } from '../../domain/conversion-id';
import { dedupeKey, workflowIdFor } from '../../domain/conversion';
import { startTestStack, uniqueName, type TestStack } from '../support/stack';
import { waitFor } from '../support/wait-for';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('postback');
});
afterAll(async () => {
  await stack?.stop();
});

const http = () => request(stack.app.callback());

describe('POST/GET /postback (walking skeleton, real Temporal and MongoDB)', () => {
  it('accepts a postback, starts its workflow and writes the conversion document', async () => {
    const clickId = uniqueName('click');
    const res = await http().get('/postback').query({ click_id: clickId, txid: 'order-1', amount: '12.50', currency: 'usd', goal: 'sale' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ conversion_id: conversionIdFor(dedupeKey({ clickId, goal: 'sale', txid: 'order-1' })), result: 'accepted' });

    const doc = await waitFor('the conversion document', () => stack.models.Conversion.findById(res.body.conversion_id).lean());
    expect(doc).toMatchObject({ click_id: clickId, goal: 'sale', txid: 'order-1', amount: '12.50', currency: 'USD', status: 'approved' });

    const handle = stack.client.workflow.getHandle(workflowIdFor(res.body.conversion_id));
    await expect(handle.result()).resolves.toEqual({ conversionId: res.body.conversion_id, outcome: 'recorded' });
  });

  it('makes the workflow findable by click id through its search attribute', async () => {
    const clickId = uniqueName('click');
    const res = await http().get('/postback').query({ click_id: clickId });
    expect(res.status).toBe(200);
    // Visibility is eventually consistent: wait for the listing, with a deadline.
    const ids = await waitFor('the workflow in the visibility listing', async () => {
      const found: string[] = [];
      for await (const wf of stack.client.workflow.list({ query: `PostflowClickId = '${clickId}'` })) found.push(wf.workflowId);
      return found.length > 0 ? found : undefined;
    });
    expect(ids).toEqual([workflowIdFor(res.body.conversion_id)]);
  });

  it('accepts JSON and form bodies and the X-Postback-Token header', async () => {
    const json = await http().post('/postback').set('X-Postback-Token', 'secret').send({ click_id: uniqueName('click'), amount: 3 });
    expect(json.status).toBe(200);
    expect(json.body.result).toBe('accepted');
    const form = await http().post('/postback').type('form').send({ click_id: uniqueName('click'), status: 'pending' });
    expect(form.status).toBe(200);
    expect(form.body.result).toBe('accepted');
  });

  it('answers a repeated postback with the same conversion id and result "duplicate"', async () => {
    const query = { click_id: uniqueName('click'), txid: 'T-9' };
    const first = await http().get('/postback').query(query);
    const second = await http().post('/postback').send(query);
    expect(first.body.result).toBe('accepted');
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ conversion_id: first.body.conversion_id, result: 'duplicate' });
  });

  it('creates exactly one conversion when the same postback arrives 25 times at once', async () => {
    const query = { click_id: uniqueName('click'), txid: 'burst' };
    const responses = await Promise.all(Array.from({ length: 25 }, () => http().get('/postback').query(query)));
    expect(responses.map((r) => r.status)).toEqual(Array(25).fill(200));
    expect(new Set(responses.map((r) => r.body.conversion_id)).size).toBe(1);
    expect(responses.filter((r) => r.body.result === 'accepted')).toHaveLength(1);
    expect(responses.filter((r) => r.body.result === 'duplicate')).toHaveLength(24);

    const id = responses[0]!.body.conversion_id;
    await stack.client.workflow.getHandle(workflowIdFor(id)).result();
    expect(await stack.models.Conversion.countDocuments({ click_id: query.click_id })).toBe(1);
  });

  it('still answers "duplicate" after Temporal has forgotten the workflow (retention passed)', async () => {
    // The state retention leaves behind: the projection exists, the server has no execution.
    // (deleteWorkflowExecution is asynchronous on the dev server, so the state is set up directly.)
    const clickId = uniqueName('click');
    const key = dedupeKey({ clickId, goal: 'default', txid: 'old' });
    const conversionId = conversionIdFor(key);
    await stack.models.Conversion.create({
      _id: conversionId,
      dedupe_key: key,
      workflow_id: workflowIdFor(conversionId),
      click_id: clickId,
      goal: 'default',
      txid: 'old',
      received_at: new Date('2026-01-01T00:00:00Z'),
      recorded_at: new Date('2026-01-01T00:00:01Z'),
    });

    const again = await http().get('/postback').query({ click_id: clickId, txid: 'old' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ conversion_id: conversionId, result: 'duplicate' });
    await expect(stack.client.workflow.getHandle(workflowIdFor(conversionId)).describe()).rejects.toThrow(/not found/i);
    expect(await stack.models.Conversion.countDocuments({ click_id: clickId })).toBe(1);
  });
});

describe('bad input gets a 4xx naming the field, and nothing is stored', () => {
  const cases: Array<[string, () => request.Test]> = [
    ['missing click_id', () => http().get('/postback').query({ txid: 'x' })],
    ['repeated click_id', () => http().get('/postback?click_id=a&click_id=b')],
    ['operator injection in JSON', () => http().post('/postback').send({ click_id: { $gt: '' } })],
    ['bad amount', () => http().get('/postback').query({ click_id: 'c', amount: '1e9' })],
    ['bad currency', () => http().get('/postback').query({ click_id: 'c', currency: 'dollars' })],
    ['unknown status', () => http().get('/postback').query({ click_id: 'c', status: 'paid' })],
    ['over-long click_id', () => http().get('/postback').query({ click_id: 'x'.repeat(201) })],
  ];
  it.each(cases)('%s → 400 invalid_request', async (_name, send) => {
    const before = await stack.models.Conversion.countDocuments();
    const res = await send();
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.issues.length).toBeGreaterThan(0);
    expect(res.body.issues[0].path).toMatch(/click_id|amount|currency|status/);
    expect(await stack.models.Conversion.countDocuments()).toBe(before);
  });

  it('malformed JSON → 400 invalid_body; a JSON array → 400; an unknown route → 404 JSON', async () => {
    const malformed = await http().post('/postback').set('Content-Type', 'application/json').send('{"click_id":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('invalid_body');
    const array = await http().post('/postback').send([{ click_id: 'a' }]);
    expect(array.status).toBe(400);
    const missing = await http().get('/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('not_found');
  });

  it('a body over 64 KiB → 413', async () => {
    const res = await http().post('/postback').send({ click_id: 'c', pad: 'x'.repeat(70 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('invalid_body');
  });
});
