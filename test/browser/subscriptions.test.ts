import { Webhook } from 'standardwebhooks';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';
import { startReceiver, type Receiver } from '../support/receiver';
import { waitFor } from '../support/wait-for';

/**
 * The console's subscriptions (issue 16, part 7): the list with each receiver's state, one
 * subscription's log with its dead letters, redelivery of one, pause and resume, and a replay
 * of a time range after counting it, in Chromium.
 */
const c = useConsole('ui_subscriptions');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const sentTo = (path: string) => receiver.requests.filter((r) => r.url === path);

describe('console: event subscriptions', () => {
  it('lists them, shows the log and a failed event, redelivers it, pauses and resumes, and replays a range', async () => {
    const s = await c.f.setup();
    const created = await c.f.admin('post', '/api/subscriptions').send({
      url: `${receiver.url}/crm`,
      event_types: ['conversion.created'],
      filter: { offer_id: s.offer.id },
      strict_order: true,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // The receiver refuses the first event for good (a permanent 4xx): a failed delivery to redeliver.
    receiver.reply({ status: 400, body: 'unknown account' });
    const first = await c.f.convert(s);
    await waitFor('the first event refused', async () => (sentTo('/crm').length >= 1 ? true : undefined));
    const second = await c.f.convert({ clickId: await c.f.click(s.offer.id, s.affiliate.id), token: s.token });
    await waitFor('the second event delivered', async () =>
      sentTo('/crm').some((r) => JSON.parse(r.body).data.conversion_id === second) ? true : undefined,
    );

    const page = await c.signedInPage('/ui/subscriptions');
    const row = page.getByRole('row').filter({ hasText: `${receiver.url}/crm` });
    await row.getByText('Sending').waitFor();
    await row.getByText('strict order').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'subscriptions');

    await row.getByRole('link', { name: `${receiver.url}/crm` }).click();
    await page.getByRole('heading', { name: `Subscription ${id}` }).waitFor();
    const failedRow = page.getByRole('row').filter({ hasText: 'Failed (permanent answer)' });
    await failedRow.getByText('HTTP 400').waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'Delivered' }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'subscription');

    // Redeliver the failed one: the same event id arrives again, and the row turns delivered.
    await failedRow.getByRole('button', { name: 'Redeliver' }).click();
    await waitFor('the redelivered event', async () =>
      sentTo('/crm').filter((r) => JSON.parse(r.body).data.conversion_id === first).length === 2 ? true : undefined,
    );
    const [refused, redelivered] = sentTo('/crm').filter((r) => JSON.parse(r.body).data.conversion_id === first);
    expect(redelivered!.headers['webhook-id']).toBe(refused!.headers['webhook-id']);
    await page.reload();
    await page.getByRole('row').filter({ hasText: 'Delivered' }).nth(1).waitFor();

    // Pause: the next event waits; resume: it goes out.
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Paused by hand since').waitFor();
    const third = await c.f.convert({ clickId: await c.f.click(s.offer.id, s.affiliate.id), token: s.token });
    await waitFor('the third conversion in the feed', async () => {
      const res = await c.f.admin('get', '/api/events').query({ types: 'conversion.created', limit: 1000 });
      return (res.body.data as { data: { conversion_id: string } }[]).some((e) => e.data.conversion_id === third) ? true : undefined;
    });
    expect(sentTo('/crm').some((r) => JSON.parse(r.body).data.conversion_id === third)).toBe(false);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByText('Sending').waitFor();
    await waitFor('the third event after resume', async () =>
      sentTo('/crm').some((r) => JSON.parse(r.body).data.conversion_id === third) ? true : undefined,
    );

    // Replay everything since an hour ago: counted first, then sent with the original ids.
    const before = sentTo('/crm').length;
    const hourAgo = new Date(Date.now() - 3_600_000);
    const local = new Date(hourAgo.getTime() - hourAgo.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await page.getByLabel(/^From/).fill(local);
    await page.getByRole('button', { name: 'Count events' }).click();
    await page.getByText('3 events in this range.').waitFor();
    expect(sentTo('/crm')).toHaveLength(before); // counting sends nothing
    await page.getByRole('button', { name: 'Replay 3 events' }).click();
    await page.getByText('Sent 3 of 3 events again with their original ids.').waitFor();
    await waitFor('3 replayed', async () => (sentTo('/crm').length >= before + 3 ? true : undefined));
    const replayedIds = sentTo('/crm')
      .slice(before)
      .map((r) => r.headers['webhook-id'])
      .sort();
    const originalIds = [
      ...new Set(
        sentTo('/crm')
          .slice(0, before)
          .map((r) => r.headers['webhook-id']),
      ),
    ].sort();
    expect(replayedIds).toEqual(originalIds);

    // By sequence number: after 1 through 2 is the one event numbered 2.
    await page.getByLabel('By sequence number').check();
    await page.getByLabel('After sequence number').fill('1');
    await page.getByLabel(/^Through/).fill('2');
    await page.getByRole('button', { name: 'Count events' }).click();
    await page.getByText('1 events in this range.').waitFor();
    const beforeSequence = sentTo('/crm').length;
    await page.getByRole('button', { name: 'Replay 1 events' }).click();
    await page.getByText('Sent 1 of 1 events again with their original ids.').waitFor();
    const resent = await waitFor('the event numbered 2 again', async () => sentTo('/crm')[beforeSequence]);
    expect(JSON.parse(resent.body).sequence).toBe(2);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'subscription-replay');
  });

  it('creates one from the console (its secret shown once verifies what it receives), refuses bad input by field, edits it', async () => {
    const s = await c.f.setup();
    const page = await c.signedInPage('/ui/subscriptions');
    await page.getByRole('link', { name: 'New subscription' }).click();
    await page.getByRole('heading', { name: 'New subscription' }).waitFor();
    await page.getByLabel('Receiver URL').fill(`${receiver.url}/console-crm`);
    await page.getByLabel('Event types').fill('conversion.status_changed');
    await page.getByLabel('Filter (optional)').fill(`{"offer_id": "${s.offer.id}"`); // not closed: not JSON
    await page.getByLabel('Custom headers (optional)').fill('x-crm-account: 42');
    await page.getByLabel('Strict order').check();
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.locator('#sub-new-filter-error').filter({ hasText: 'is not valid JSON' }).waitFor();
    expect(await page.getByLabel('Filter (optional)').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The API's own refusal lands on its field too: an event type the catalogue does not have.
    await page.getByLabel('Filter (optional)').fill(`{"offer_id": "${s.offer.id}"}`);
    await page.getByLabel('Event types').fill('conversion.status_changed\nconversion.exploded');
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.locator('#sub-new-event_types-error').filter({ hasText: 'conversion.exploded' }).waitFor();
    await screenshot(page, 'subscription-new');

    await page.getByLabel('Event types').fill('conversion.status_changed');
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.getByRole('heading', { name: /^Subscription sub_\w+ created$/ }).waitFor();
    const secret = await page.getByLabel('Signing secret (Standard Webhooks)').inputValue();
    expect(secret).toMatch(/^whsec_/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Open the subscription' }).click();
    await page.getByText('Strict: the next event only after the previous one ended').waitFor();

    // What it receives is signed with the secret shown, carries the header, and is the filtered type.
    const id = await c.f.convert({ clickId: await c.f.click(s.offer.id, s.affiliate.id), token: s.token });
    const got = await waitFor('its status change at the receiver', async () =>
      sentTo('/console-crm').find((r) => JSON.parse(r.body).data.conversion_id === id),
    );
    const event = new Webhook(secret).verify(got.body, got.headers as Record<string, string>) as { type: string; sequence: number };
    expect(event).toMatchObject({ type: 'conversion.status_changed', sequence: 1 });
    expect(got.headers['x-crm-account']).toBe('42');

    // Edit: add a type; only what changed is sent (the header stays as it was).
    await page.getByRole('link', { name: 'Edit settings' }).click();
    await page.getByRole('heading', { name: /^Edit subscription/ }).waitFor();
    expect(await page.getByLabel('Custom headers (optional)').inputValue()).toBe('x-crm-account: 42');
    await page.getByLabel('Event types').fill('conversion.status_changed\nconversion.created');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('conversion.status_changed, conversion.created').waitFor();
    const subId = new URL(page.url()).pathname.split('/').at(-1)!;
    const saved = await c.f.admin('get', `/api/subscriptions/${subId}`);
    expect(saved.body).toMatchObject({
      event_types: ['conversion.status_changed', 'conversion.created'],
      headers: { 'x-crm-account': '42' },
      filter: { offer_id: s.offer.id },
      strict_order: true,
    });
  });
});
