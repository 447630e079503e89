import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';
import { startReceiver, type Receiver } from '../support/receiver';
import { waitFor } from '../support/wait-for';

/**
 * The affiliate's half of partner access, as a new affiliate would go through it: the network
 * (admin API) creates it and sends a sign-in link; it signs in, copies its tracking link, adds
 * its postback endpoint, fires a test postback and reads its server's answer, redelivers its own
 * failed delivery and rotates its signing secret; it never sees another affiliate's rows.
 */
const c = useConsole('ui_affiliate');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const capabilities = ['manage_endpoints', 'rotate_secrets', 'redeliver', 'test_postbacks'];
const allSent = (page: Page) => page.getByRole('main');
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name, exact: true });

/** What the network has before the new affiliate arrives: an offer, and another affiliate with traffic and conversions. */
async function network() {
  const other = await c.f.setup();
  await c.f.endpoint(other.affiliate.id, { url: `${receiver.url}/other?e={event_id}` });
  const otherConversions = [await c.f.convert(other, { txid: 'other-1' })];
  otherConversions.push(await c.f.convert({ ...other, clickId: await c.f.click(other.offer.id, other.affiliate.id) }, { txid: 'other-2' }));
  for (const id of otherConversions) await waitFor(`the other affiliate's delivery of ${id}`, () => c.f.deliveriesIn(id, 'succeeded'));
  return { other, otherConversions };
}

describe('affiliate view', () => {
  it('takes a new affiliate from its sign-in link to a verified, signed postback without help from ops', async () => {
    const { other, otherConversions } = await network();
    // The admin creates the affiliate and a sign-in link for it.
    const affiliate = await c.f.affiliate({ name: 'Fresh Media' });
    const link = await c.f.admin('post', '/api/portal-links').send({ principal: `affiliate:${affiliate.id}`, capabilities });
    expect(link.status).toBe(201);
    const url = new URL(link.body.url as string);

    const page = await c.newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto(`${url.pathname}${url.hash}`);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByText('No earnings yet').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'affiliate-home');

    // Offers: its tracking link, copied with the button, answers 302 through /click.
    await nav(page, 'Offers').click();
    await page.getByRole('heading', { name: 'Offer', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Copy' }).first().click();
    await page.getByText('Copied to the clipboard.').first().waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(`${c.baseUrl}/click?offer_id=${other.offer.id}&aff_id=${affiliate.id}&sub1={sub1}`);
    const tracking = new URL(copied.replace('{sub1}', 'spring'));
    const click = await c.f.http().get(`${tracking.pathname}${tracking.search}`);
    expect(click.status).toBe(302);
    expect(JSON.stringify(await allSent(page).textContent())).not.toMatch(/8\.00|revenue/i);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'affiliate-offers');

    // Postbacks: it adds its endpoint, pointing at its own server.
    await nav(page, 'Postbacks').click();
    await page.getByText('No postback endpoint yet').waitFor();
    await page.getByLabel('Your postback URL').fill(`${receiver.url}/mine?cid={click_id}&status={status}&e={event_id}`);
    await page.getByLabel('Method').selectOption('POST');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByText('Endpoint added.').waitFor();
    await page.getByRole('link', { name: new RegExp(`${receiver.url}/mine`) }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'affiliate-postbacks');
    // It gives the endpoint a signing secret (shown once).
    await page.getByRole('link', { name: new RegExp(`${receiver.url}/mine`) }).click();
    await page.getByRole('button', { name: 'Create signing secret' }).click();
    const oldSecret = await page.getByLabel('New signing secret (shown this once)').inputValue();
    expect(oldSecret).toMatch(/^whsec_/);

    // A test postback: fired from its view, followed to its delivery and its server's answer.
    receiver.otherwise({ status: 200, body: 'test received' });
    await nav(page, 'Postbacks').click();
    await page.getByRole('button', { name: 'Fire test postback' }).click();
    await page.getByText('Delivered: your server answered HTTP 200: test received.').waitFor();
    const testCall = receiver.requests.filter((r) => r.url.startsWith('/mine')).at(-1)!;
    expect(testCall.headers['x-postflow-test']).toBe('1');
    expect(() => new Webhook(oldSecret).verify(testCall.body, testCall.headers as Record<string, string>)).not.toThrow();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'affiliate-test-postback');

    // Its own real conversion, refused by its server at first: a failed delivery it redelivers itself.
    receiver.otherwise({ status: 400, body: 'unknown cid' });
    const clickId = await c.f.click(other.offer.id, affiliate.id);
    const mine = await c.f.convert({ token: other.token, clickId }, { txid: 'mine-1' });
    await waitFor('its failed delivery', () => c.f.deliveriesIn(mine, 'failed'));
    receiver.otherwise({ status: 200, body: 'thanks' });
    await nav(page, 'Delivery log').click();
    await page.getByRole('cell', { name: 'HTTP 400' }).waitFor();
    const failedRow = page.getByRole('row').filter({ hasText: 'HTTP 400' });
    await failedRow.getByRole('link', { name: 'Show what was sent' }).click();
    await page.getByText('unknown cid').waitFor();
    expect(await page.locator('pre.sent').first().textContent()).toContain(`/mine?cid=${clickId}&status=approved`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'affiliate-delivery-log');
    await failedRow.getByRole('button', { name: /^Redeliver dl_/ }).click();
    await page.getByRole('status').filter({ hasText: 'Delivered (HTTP 200: thanks)' }).waitFor();
    const redelivered = receiver.requests.filter((r) => r.url.startsWith('/mine')).at(-1)!;
    expect(() => new Webhook(oldSecret).verify(redelivered.body, redelivered.headers as Record<string, string>)).not.toThrow();

    // It rotates the secret: the new one is shown once, and during the overlap its server verifies with either.
    page.once('dialog', (dialog) => void dialog.accept());
    await nav(page, 'Postbacks').click();
    await page.getByRole('link', { name: new RegExp(`${receiver.url}/mine`) }).click();
    await page.getByRole('button', { name: 'Rotate signing secret' }).click();
    const newSecret = await page.getByLabel('New signing secret (shown this once)').inputValue();
    expect(newSecret).not.toBe(oldSecret);
    await page.getByText(/signed with both secrets/).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'affiliate-secret-rotated');
    await page.getByRole('button', { name: 'Pause endpoint' }).click();
    await page.getByText('Paused: postbacks wait').waitFor();
    expect(await page.getByText('paused by you').count()).toBe(1);
    await page.getByRole('button', { name: 'Resume endpoint' }).click();
    await page.getByText('Resumed: waiting postbacks are sent now.').waitFor();
    const during = await c.f.convert({ token: other.token, clickId: await c.f.click(other.offer.id, affiliate.id) }, { txid: 'mine-2' });
    await waitFor('the delivery during the overlap', () => c.f.deliveriesIn(during, 'succeeded'));
    const signed = receiver.requests.filter((r) => r.url.startsWith('/mine')).at(-1)!;
    expect(signed.body).toContain(during);
    for (const secret of [oldSecret, newSecret])
      expect(() => new Webhook(secret).verify(signed.body, signed.headers as Record<string, string>)).not.toThrow();

    // Only its own rows: none of the other affiliate's conversions, deliveries or ids anywhere.
    await nav(page, 'Conversions').click();
    await page.getByRole('link', { name: mine }).waitFor();
    const conversionsText = (await allSent(page).textContent()) ?? '';
    for (const id of [...otherConversions, other.affiliate.id]) expect(conversionsText).not.toContain(id);
    await page.goto('/ui/deliveries');
    await page.getByRole('cell', { name: 'HTTP 200' }).first().waitFor();
    const logText = (await allSent(page).textContent()) ?? '';
    for (const id of otherConversions) expect(logText).not.toContain(id);
    // Another affiliate's conversion URL is "not found", exactly like a missing one.
    await page.goto(`/ui/conversions/${otherConversions[0]}`);
    await page.getByText('Conversion not found').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The link has been used: a second opening is refused.
    const again = await c.newPage();
    await again.goto(`${url.pathname}${url.hash}`);
    await again.getByRole('alert').filter({ hasText: 'already been used or has expired' }).waitFor();
  });

  it('redelivers only its own failed deliveries in bulk, after a preview, on a phone-width screen', async () => {
    receiver.otherwise({ status: 400, body: 'not yet' });
    const failing = async (path: string, n: number) => {
      const s = await c.f.setup({
        goals: [
          { key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' }, allow_multiple: true },
        ],
      });
      await c.f.endpoint(s.affiliate.id, { url: `${receiver.url}${path}?e={event_id}` });
      const ids: string[] = [];
      for (let i = 0; i < n; i += 1)
        ids.push(await c.f.convert({ ...s, clickId: await c.f.click(s.offer.id, s.affiliate.id) }, { txid: `${path}-${i}` }));
      for (const id of ids) await waitFor(`a failed delivery of ${id}`, () => c.f.deliveriesIn(id, 'failed'));
      return s;
    };
    const mine = await failing('/bulk-mine', 2);
    await failing('/bulk-theirs', 1);
    receiver.otherwise({ status: 200, body: 'ok' });
    const sent = (path: string) => receiver.requests.filter((r) => r.url.startsWith(path)).length;
    const before = { mine: sent('/bulk-mine'), theirs: sent('/bulk-theirs') };

    const key = await c.f
      .admin('post', '/api/keys')
      .send({ name: 'phone', principal: `affiliate:${mine.affiliate.id}`, capabilities: ['redeliver'] });
    const page = await c.newPage({ width: 390, height: 844 });
    await page.goto('/ui/deliveries?status=failed');
    await page.getByLabel('Admin key or partner key').fill(key.body.key as string);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Preview bulk redelivery' }).click();
    await page.getByText('2 deliveries').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'affiliate-bulk-redeliver-phone');
    await page.getByRole('button', { name: 'Redeliver 2' }).click();
    await page.getByText('Started 2 of 2 redeliveries.').waitFor();
    await waitFor('both redelivered', () => sent('/bulk-mine') === before.mine + 2);
    expect(sent('/bulk-theirs')).toBe(before.theirs);
    // No audit-log link: that screen is the network's.
    expect(await page.getByRole('link', { name: 'audit log' }).count()).toBe(0);
  });
});
