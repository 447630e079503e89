import type { Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';
import { startReceiver, type Receiver } from '../support/receiver';
import { waitFor } from '../support/wait-for';

const c = useConsole('ui_overview');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

/** The text of a headline figure (its <dd>), by its label. */
const figure = (page: Page, label: string) =>
  page
    .locator('.headline .figure')
    .filter({ has: page.getByText(label, { exact: true }) })
    .locator('.value');

describe('console overview', () => {
  it('says how to send a first click and postback while there is no traffic', async () => {
    const page = await c.signedInPage('/ui/');
    await page.getByText('No traffic in this range').waitFor();
    await page.getByText('Walk-through', { exact: false }).waitFor();
    // The defaults stand in the URL, so a shared link shows the same range and zone.
    expect(new URL(page.url()).search).toBe('?last=24h&tz=UTC');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('shows the API’s totals after postbacks, a chart per figure, and keeps zone and range in the URL across reload', async () => {
    const s = await c.f.setup({
      goals: [
        { key: 'sale', payout: { type: 'percent', amount: '10' }, revenue: { type: 'percent', amount: '15' }, default_status: 'approved' },
      ],
      caps: [{ metric: 'conversions', period: 'day', limit: 50 }],
    });
    await c.f.endpoint(s.affiliate.id, { url: `${receiver.url}/pb?cid={click_id}` });
    const other = await c.f.click(s.offer.id, s.affiliate.id);
    const ids = [
      await c.f.convert(s, { txid: 'b-1', amount: '123.45' }),
      await c.f.convert({ clickId: other, token: s.token }, { txid: 'b-2', amount: '20.00' }),
    ];
    for (const id of ids) await waitFor(`deliveries of ${id}`, () => c.f.deliveriesIn(id, 'succeeded'), 30_000);

    const page = await c.signedInPage('/ui/?last=24h&tz=UTC');
    await figure(page, 'Payout').filter({ hasText: 'USD' }).waitFor();
    const api = (await c.f.admin('get', '/api/overview').query({ last: '24h', timezone: 'UTC' })).body;
    const [usd] = api.totals;
    expect(await figure(page, 'Clicks').innerText()).toBe(String(usd.clicks));
    expect(await figure(page, 'Conversions').innerText()).toBe(String(usd.conversions.total));
    expect(await figure(page, 'Payout').innerText()).toBe(`${usd.payout} USD`);
    expect(await figure(page, 'Revenue').innerText()).toBe(`${usd.revenue} USD`);
    expect(await figure(page, 'EPC').innerText()).toBe(`${usd.epc} USD`);
    expect([usd.payout, usd.revenue]).toEqual(['14.35', '21.52']);
    expect(await figure(page, 'Delivery success').innerText()).toBe('100.00 %');

    // Clicks, conversions, money and CR/EPC for USD, delivery success, p95 latency, dead letters: a canvas each.
    const charts = page.locator('figure.chart');
    await waitFor('the charts to draw', async () => ((await charts.locator('canvas').count()) === 7 ? true : undefined));
    expect(await charts.count()).toBe(7);
    await page.getByText('Offer: conversions per day').waitFor();
    expect(await page.locator('.caps meter').getAttribute('value')).toBe('0.04');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'overview');

    await page.getByLabel('Time zone', { exact: true }).selectOption('Asia/Tokyo');
    await page.getByLabel('Range', { exact: true }).selectOption('6h');
    await page.getByText('(Asia/Tokyo), per minute').waitFor();
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ last: '6h', tz: 'Asia/Tokyo' });
    await page.reload();
    await page.getByText('(Asia/Tokyo), per minute').waitFor();
    expect(await page.getByLabel('Time zone', { exact: true }).inputValue()).toBe('Asia/Tokyo');
    expect(await page.getByLabel('Range', { exact: true }).inputValue()).toBe('6h');
    expect(await figure(page, 'Payout').innerText()).toBe('14.35 USD');

    // Back goes to the range before, as a link would.
    await page.goBack();
    await page.getByText('(Asia/Tokyo), per hour').waitFor();
    await page.context().close();
  });

  it('shows the API’s field error next to a custom date, and is usable at phone width', async () => {
    const page = await c.signedInPage('/ui/?from=2026-03-10&to=2026-03-01&tz=UTC');
    await page.locator('#overview-to-error').filter({ hasText: 'from must be before to' }).waitFor();
    expect(await page.getByLabel('To (last day)').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.context().close();

    const phone = await c.signedInPage('/ui/?last=7d&tz=UTC', { width: 390, height: 844 });
    await phone.getByText('(UTC), per hour').waitFor();
    await waitFor('the charts to draw', async () => ((await phone.locator('figure.chart canvas').count()) === 7 ? true : undefined));
    // Nothing wider than the screen: no sideways scrolling of the page.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const box = await phone.locator('figure.chart canvas').first().boundingBox();
    expect(box!.width).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(phone)).toEqual([]);
    await phone.context().close();
  });
});
