import type { Page } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import { conversionWorkflowId } from '../../domain/workflow-ids';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';
import { startReceiver, type Receiver } from '../support/receiver';
import { waitFor } from '../support/wait-for';

const c = useConsole('ui_conversions');
let receiver: Receiver;
/** An approved conversion with a delivered postback, and a pending one on another offer. */
let approved: { id: string; clickId: string; txid: string; deliveryId: string; eventId: string; offerName: string };
let pendingId: string;

beforeAll(async () => {
  receiver = await startReceiver();
  const s = await c.f.setup({ name: 'Spring sale' });
  await c.f.endpoint(s.affiliate.id, { url: `${receiver.url}/pb?e={event_id}&token=affiliate-secret`, events: ['approved'] });
  const id = await c.f.convert(s, { txid: 'ORDER-1001', amount: '120.00' });
  const [delivery] = await waitFor('the delivery to succeed', () => c.f.deliveriesIn(id, 'succeeded'));
  approved = {
    id,
    clickId: s.clickId,
    txid: 'ORDER-1001',
    deliveryId: delivery!._id,
    eventId: delivery!.event_id,
    offerName: 'Spring sale',
  };

  const p = await c.f.setup({
    name: 'Lead gen',
    goals: [
      { key: 'lead', payout: { type: 'fixed', amount: '2.50' }, revenue: { type: 'fixed', amount: '4.00' }, default_status: 'pending' },
    ],
    default_goal: 'lead',
  });
  pendingId = await c.f.convert(p);
  await waitFor(
    'the second conversion to be pending',
    async () => (await c.stack.models.Conversion.findById(pendingId).lean())?.status === 'pending',
  );
}, 120_000);
afterAll(async () => {
  await receiver?.close();
});

const rowIds = async (page: Page) => page.locator('table.conversions tbody tr td:nth-child(2) a').allTextContents();

async function searchFor(page: Page, q: string) {
  await page.getByLabel('Find by any id').fill(q);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get('q') === q);
}

/** Waits until the table shows exactly these conversions (the previous search's rows may still be on screen a moment). */
const expectRows = (page: Page, ids: string[]) =>
  waitFor(`rows ${ids.join(', ')}`, async () => JSON.stringify(await rowIds(page)) === JSON.stringify(ids));

describe('conversion search', () => {
  it('finds the conversion by each kind of id', async () => {
    const page = await c.signedInPage('/ui/conversions');
    await page.getByRole('heading', { name: 'Conversions' }).waitFor();
    const kinds: Record<string, string> = {
      'conversion id': approved.id,
      'click id': approved.clickId,
      'advertiser transaction id': approved.txid,
      'delivery id': approved.deliveryId,
      'event id': approved.eventId,
      'workflow id': conversionWorkflowId(approved.id),
    };
    for (const [kind, q] of Object.entries(kinds)) {
      await searchFor(page, q);
      await page.getByRole('status').filter({ hasText: '1 conversion match' }).waitFor();
      await expectRows(page, [approved.id]).catch(async () =>
        expect({ kind, rows: await rowIds(page) }).toEqual({ kind, rows: [approved.id] }),
      );
    }
    await searchFor(page, 'ORDER-100');
    await page.getByText('No conversion has the id “ORDER-100”').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('keeps filters in the URL through reload and back, and shows offer names in the picker', async () => {
    const page = await c.signedInPage('/ui/conversions');
    await page.getByLabel('Offer').locator('option', { hasText: 'Spring sale' }).waitFor({ state: 'attached' });
    await page.getByLabel('Status').selectOption('pending');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/status=pending/);
    await page.getByRole('status').filter({ hasText: '1 conversion match' }).waitFor();
    expect(await rowIds(page)).toEqual([pendingId]);

    await page.reload();
    await page.getByRole('status').filter({ hasText: '1 conversion match' }).waitFor();
    expect(await page.getByLabel('Status').inputValue()).toBe('pending');
    expect(await rowIds(page)).toEqual([pendingId]);

    await page.getByLabel('Status').selectOption('');
    await page
      .getByLabel('Offer')
      .selectOption({ label: `Spring sale · ${(await c.stack.models.Conversion.findById(approved.id).lean())!.offer_id}` });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/offer_id=/);
    await expectRows(page, [approved.id]);

    await page.goBack();
    await page.waitForURL(/status=pending/);
    await expectRows(page, [pendingId]);
    expect(await page.getByLabel('Status').inputValue()).toBe('pending');
    expect(await page.getByLabel('Offer').inputValue()).toBe('');

    // A day range in a chosen zone: the day of the postbacks finds both; the day before none.
    const received = (await c.stack.models.Conversion.findById(pendingId).lean())!.received_at as Date;
    const today = received.toISOString().slice(0, 10);
    await page.goto(`/ui/conversions?from=${today}&to=${today}&tz=UTC`);
    await page.getByRole('status').filter({ hasText: '2 conversions match' }).waitFor();
    expect(await page.getByLabel('Time zone').inputValue()).toBe('UTC');
    await page.goto('/ui/conversions?from=2020-01-01&to=2020-01-01&tz=Asia/Tokyo');
    await page.getByText('No conversions match').waitFor();
    // A bad filter in a hand-edited link: the API's 400 is shown next to the field it names.
    await page.goto('/ui/conversions?reason_code=no%20spaces');
    await page.locator('#f-reason_code-error').waitFor();
    expect(await page.getByLabel('Reason code').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('pages with the keyset cursor through every row, and exports the same set as CSV', async () => {
    const base = Date.UTC(2026, 0, 10);
    await c.stack.models.Conversion.insertMany(
      Array.from({ length: 120 }, (_, i) => ({
        _id: `cv_page${String(i).padStart(3, '0')}`,
        dedupe_key: `page:${i}`,
        workflow_id: `conversion-cv_page${i}`,
        advertiser_id: 'adv_paged',
        offer_id: 'off_paged',
        affiliate_id: 'aff_paged',
        click_id: `clk_page${i}`,
        goal: 'sale',
        status: 'approved',
        status_seq: 0,
        received_at: new Date(base + Math.floor(i / 2) * 1000),
        updated_at: new Date(base),
      })),
    );
    const page = await c.signedInPage('/ui/conversions?advertiser_id=adv_paged&tz=UTC');
    await page.getByRole('status').filter({ hasText: '120 conversions match. Showing 1–50' }).waitFor();
    const seen = [...(await rowIds(page))];
    await page.getByRole('link', { name: 'Next page →' }).click();
    await page.getByRole('status').filter({ hasText: 'Showing 51–100' }).waitFor();
    seen.push(...(await rowIds(page)));
    await page.getByRole('link', { name: 'Next page →' }).click();
    await page.getByRole('status').filter({ hasText: 'Showing 101–120' }).waitFor();
    seen.push(...(await rowIds(page)));
    await page.getByText('Last page').waitFor();
    expect(new Set(seen).size).toBe(120);

    // The page is in the URL: reload keeps it, back returns to the one before.
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Showing 101–120' }).waitFor();
    await page.goBack();
    await page.getByRole('status').filter({ hasText: 'Showing 51–100' }).waitFor();

    const href = await page.getByRole('link', { name: /^Export all 120 as CSV$/ }).getAttribute('href');
    const res = await page.context().request.get(href!);
    expect(res.status()).toBe(200);
    const rows = parse(await res.text(), { columns: true }) as { conversion_id: string }[];
    expect(rows.map((r) => r.conversion_id).sort()).toEqual([...seen].sort());
  });

  it('works at phone width', async () => {
    const page = await c.signedInPage('/ui/conversions?status=approved', { width: 390, height: 844 });
    await page.getByRole('status').filter({ hasText: /match/ }).waitFor();
    await page.getByLabel('Find by any id').waitFor();
    // The table scrolls inside its box; the page itself does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('takes the README screenshot', async () => {
    const page = await c.signedInPage('/ui/conversions?tz=UTC');
    await page.getByRole('status').filter({ hasText: /match/ }).waitFor();
    await screenshot(page, 'conversions');
  });
});

describe('conversion page', () => {
  const history = async (id: string) => (await c.f.admin('get', `/api/conversions/${id}/history`)).body;

  it("tells the timeline API's story, entry by entry, with the Temporal UI link and the masked URL sent", async () => {
    const api = await history(approved.id);
    const page = await c.signedInPage(`/ui/conversions/${approved.id}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    const items = page.locator('ol.timeline > li');
    expect(await items.locator('.entry-title').allTextContents()).toEqual(api.entries.map((e: { title: string }) => e.title));
    expect(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).toEqual(
      api.entries.map((e: { kind: string }) => e.kind),
    );
    expect(await page.getByRole('link', { name: 'Open in the Temporal UI' }).getAttribute('href')).toBe(api.temporal_ui_url);

    const text = await page.locator('ol.timeline > li[data-kind="delivery_attempt"]').first().innerText();
    expect(text).toContain('token=***');
    expect(text).toContain('200');
    expect(text).toMatch(/Latency\s+\d+ ms/);
    expect(await page.content()).not.toContain('affiliate-secret');

    // One part of the story at a time; the choice is in the URL.
    await page.getByLabel('Show').selectOption('fraud');
    await page.waitForURL(/show=fraud/);
    const fraud = api.entries.filter((e: { kind: string }) => e.kind.startsWith('fraud_')).length;
    expect(await items.count()).toBe(fraud);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('Show').selectOption('');
    await screenshot(page, 'conversion');
  });

  it('changes the status (showing the 409 of an illegal change) and redelivers a postback', async () => {
    const page = await c.signedInPage(`/ui/conversions/${approved.id}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();

    await page.getByLabel('New status').selectOption('declined');
    await page.getByRole('button', { name: 'Change to declined' }).click();
    await page.getByRole('alert').filter({ hasText: 'cannot change a conversion from approved to declined; allowed: reversed' }).waitFor();

    await page.getByLabel('New status').selectOption('reversed');
    await page.getByLabel('Reason (kept in the history)').fill('chargeback from the shop');
    await page.getByRole('button', { name: 'Change to reversed' }).click();
    await page.getByRole('status').filter({ hasText: 'Status changed to reversed.' }).waitFor();
    await page
      .locator('ol.timeline li[data-kind="status_change"]', { hasText: 'approved → reversed by ops: chargeback from the shop' })
      .waitFor();
    expect(await page.locator('.page-head .badge').innerText()).toBe('reversed');

    const before = receiver.requests.length;
    await page.getByRole('button', { name: `Redeliver ${approved.deliveryId}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Redelivery of ${approved.deliveryId} started (run 1)` })
      .waitFor();
    await waitFor('the redelivered postback', () => receiver.requests.length > before);
    // The page follows the run until it ends, then shows it in the timeline.
    await page.locator('ol.timeline li[data-kind="delivery_started"]', { hasText: 'redelivery (run 1)' }).waitFor({ timeout: 20_000 });
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('says what to do for an unknown id', async () => {
    const page = await c.signedInPage('/ui/conversions/cv_nope');
    await page.getByText('No conversion with the id “cv_nope”').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
