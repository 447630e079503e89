import type { Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';
import { startReceiver, type Receiver } from '../support/receiver';
import { waitFor } from '../support/wait-for';

const c = useConsole('ui_deliveries');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const goals = [
  { key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' }, allow_multiple: true },
];

/** An affiliate whose tracker refuses its postbacks (a permanent 4xx), with `n` failed deliveries. */
async function failingAffiliate(n: number, path: string) {
  const s = await c.f.setup({ goals });
  const endpoint = await c.f.endpoint(s.affiliate.id, { url: `${receiver.url}${path}?e={event_id}` });
  const conversions: string[] = [];
  for (let i = 0; i < n; i += 1) conversions.push(await c.f.convert(s, { txid: `${path}-${i}` }));
  for (const id of conversions) await waitFor(`a failed delivery of ${id}`, () => c.f.deliveriesIn(id, 'failed'));
  return { s, endpoint, conversions };
}

const sentTo = (path: string) => receiver.requests.filter((r) => r.url.startsWith(path)).length;
const issueRow = (page: Page) => page.getByRole('row').filter({ hasText: 'Refused (4xx)' });

describe('console: deliveries and the audit log', () => {
  it('shows the issue, redelivers one, then the rest in bulk after a preview, and audits the bulk action', async () => {
    receiver.otherwise({ status: 400, body: 'unknown clickid' });
    const { s, conversions } = await failingAffiliate(4, '/refuses');
    const url = `/ui/deliveries?status=failed&affiliate_id=${s.affiliate.id}`;
    const page = await c.signedInPage(url);

    await issueRow(page).getByText('HTTP 400: unknown clickid').waitFor();
    expect(await issueRow(page).getByRole('cell').nth(2).textContent()).toBe('4');
    await page.getByRole('heading', { name: 'Endpoint health' }).waitFor();
    await page.getByRole('cell', { name: /0 %/ }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'deliveries');

    // The affiliate fixes its tracker; one delivery is redelivered from its issue.
    receiver.otherwise({ status: 200, body: 'ok' });
    const before = sentTo('/refuses');
    await issueRow(page).getByRole('button', { name: 'Show newest 4' }).click();
    await page
      .getByRole('button', { name: /^Redeliver dl_/ })
      .first()
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Redelivery of dl_.*: Delivered \(HTTP 200\)$/ })
      .waitFor();
    expect(sentTo('/refuses')).toBe(before + 1);

    // A reload keeps the filter (the URL), and the issue now has three.
    await page.reload();
    await issueRow(page).getByRole('cell', { name: '3', exact: true }).waitFor();
    expect(await page.getByLabel('Affiliate id').inputValue()).toBe(s.affiliate.id);
    expect(await page.getByLabel('Status').inputValue()).toBe('failed');

    // Bulk: the preview names the count and the filter; confirming sends exactly that many.
    await page.getByRole('button', { name: 'Preview bulk redelivery' }).click();
    await page.getByText('3 deliveries will be redelivered').waitFor();
    await page.locator('.applied-filter').getByText(s.affiliate.id).waitFor();
    expect(sentTo('/refuses')).toBe(before + 1);
    await page.getByRole('button', { name: 'Redeliver 3' }).click();
    await page.getByText('Started 3 of 3 redeliveries.').waitFor();
    for (const id of conversions) await waitFor(`the delivery of ${id} to succeed`, () => c.f.deliveriesIn(id, 'succeeded'));
    expect(sentTo('/refuses')).toBe(before + 4);
    await page.getByText('No failed deliveries match this filter').waitFor();

    await page.getByRole('link', { name: 'audit log', exact: true }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const rows = page.getByRole('row').filter({ hasText: 'Bulk redelivery' });
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    await rows.getByText('matched 3, started 3').waitFor();
    await rows.getByText(s.affiliate.id).waitFor();
    expect(await rows.getByRole('cell').last().textContent()).toBe('3');
    expect(await page.getByLabel('Action').inputValue()).toBe('delivery.bulk_redeliver');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Every action shows, newest first: the bulk one, then the single redelivery.
    await page.getByRole('link', { name: 'Clear' }).click();
    await page.getByRole('row').filter({ hasText: 'Delivery redelivered' }).first().waitFor();
    await screenshot(page, 'audit');
  });

  it('says so when the set changed between the preview and the confirmation, and sends nothing', async () => {
    receiver.otherwise({ status: 400, body: 'unknown clickid' });
    const { s } = await failingAffiliate(2, '/changes');
    const page = await c.signedInPage(`/ui/deliveries?status=failed&affiliate_id=${s.affiliate.id}`);
    await page.getByRole('button', { name: 'Preview bulk redelivery' }).click();
    await page.getByText('2 deliveries will be redelivered').waitFor();

    const more = await c.f.convert(s, { txid: '/changes-late' });
    await waitFor('one more failed delivery', () => c.f.deliveriesIn(more, 'failed'));
    const sent = sentTo('/changes');
    await page.getByRole('button', { name: 'Redeliver 2' }).click();
    await page.getByText(/Nothing was sent: this filter now matches 3 deliveries, not the 2 previewed/).waitFor();
    await page.getByText('3 deliveries will be redelivered').waitFor();
    expect(sentTo('/changes')).toBe(sent);
  });

  it('works at phone width', async () => {
    const page = await c.signedInPage('/ui/deliveries?status=failed', { width: 390, height: 844 });
    await page.getByRole('heading', { name: 'Issues' }).waitFor();
    await issueRow(page).first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // Wide tables scroll inside their box; the page itself does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.goto('/ui/audit');
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByRole('row').nth(1).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});
