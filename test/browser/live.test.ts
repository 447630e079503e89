import type { Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';
import { startReceiver } from '../support/receiver';
import { waitFor } from '../support/wait-for';

const c = useConsole('ui_live');
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

/** A postback on a fresh click of the setup's offer: a new conversion each time. */
async function newConversion(s: Awaited<ReturnType<typeof c.f.setup>>): Promise<string> {
  return c.f.convert({ ...s, clickId: await c.f.click(s.offer.id, s.affiliate.id) });
}
const rowOf = (page: Page, id: string) => page.getByRole('row').filter({ hasText: id });
/** The row of one event: a conversion's or a delivery's, in one status. */
const eventRow = (page: Page, id: string, kind: 'Conversion' | 'Delivery', status: string) =>
  rowOf(page, id)
    .filter({ has: page.getByRole('cell', { name: kind, exact: true }) })
    .filter({ has: page.locator('.badge').getByText(status, { exact: true }) });
const approved = (id: string) =>
  waitFor(`${id} approved`, async () => (await c.stack.models.Conversion.findById(id).lean())?.status === 'approved');

describe('live tail (/ui/live)', () => {
  it('shows a new postback, pauses and resumes without losing one, and keeps its filters across a reload', async () => {
    const s = await c.f.setup({ name: 'Summer shoes' });
    await c.f.endpoint(s.affiliate.id, { url: `${receiver.url}/pb?cid={click_id}` });
    const page = await c.signedInPage('/ui/live');
    await page.getByRole('status').filter({ hasText: 'Live: new events appear' }).waitFor();
    await page.getByText('No events yet').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    const first = await newConversion(s);
    const row = eventRow(page, first, 'Conversion', 'approved');
    await row.waitFor();
    expect(await row.textContent()).toContain('Summer shoes');
    expect(await row.textContent()).toContain('payout 5.00 USD');
    expect(await row.getByRole('link', { name: first }).getAttribute('href')).toBe(`/ui/conversions/${first}`);
    await eventRow(page, first, 'Delivery', 'succeeded').waitFor(); // its postback to the affiliate
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Paused: new events are counted, not shown; resuming shows them.
    await page.getByRole('button', { name: 'Pause' }).click();
    const second = await newConversion(s);
    await approved(second);
    await page
      .getByRole('status')
      .filter({ hasText: /Paused: [1-9]\d* new events? waiting/ })
      .waitFor();
    expect(await rowOf(page, second).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Resume' }).click();
    await eventRow(page, second, 'Conversion', 'approved').waitFor();
    // Newest first.
    const order = await page.locator('tbody tr').allTextContents();
    expect(order.findIndex((t) => t.includes(second))).toBeLessThan(order.findIndex((t) => t.includes(first)));
    await eventRow(page, second, 'Delivery', 'succeeded').waitFor();
    await screenshot(page, 'live');

    // A filter lives in the URL: a reload keeps it, and the stream sends only what it lets through.
    await page.getByLabel('Offer').selectOption(s.offer.id);
    await page.waitForURL(`**/ui/live?offer_id=${s.offer.id}`);
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Live: new events appear' }).waitFor();
    expect(await page.getByLabel('Offer').inputValue()).toBe(s.offer.id);
    const other = await c.f.setup({ name: 'Winter coats' });
    const elsewhere = await newConversion(other);
    await approved(elsewhere); // stored before the next one, so the stream would have sent it first
    const third = await newConversion(s);
    await eventRow(page, third, 'Conversion', 'approved').waitFor();
    expect(await rowOf(page, elsewhere).count()).toBe(0);
  });

  it('works at phone width', async () => {
    const s = await c.f.setup();
    const page = await c.signedInPage('/ui/live?kind=conversion&status=approved', { width: 390, height: 844 });
    await page.getByText('Nothing matching these filters yet').waitFor();
    await page.getByRole('status').filter({ hasText: 'Live: new events appear' }).waitFor();
    const id = await newConversion(s);
    await eventRow(page, id, 'Conversion', 'approved').waitFor();
    expect(await page.getByLabel('Status').inputValue()).toBe('approved');
    // The table scrolls inside its box; the page itself does not grow sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByRole('button', { name: 'Pause' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
