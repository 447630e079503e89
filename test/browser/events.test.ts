import type { Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';
import { waitFor } from '../support/wait-for';

/**
 * The console's Events screen (issue 16, part 5): the event feed's live stream in Chromium, with
 * the ids subscriptions receive and the position the pull feed pages on from, a type filter kept
 * in the URL, pause and resume.
 */
const c = useConsole('ui_events');

async function newConversion(s: Awaited<ReturnType<typeof c.f.setup>>): Promise<string> {
  return c.f.convert({ ...s, clickId: await c.f.click(s.offer.id, s.affiliate.id) });
}
/** The row of one event: its type and the conversion it is about. */
const eventRow = (page: Page, conversionId: string, type: string) =>
  page
    .getByRole('row')
    .filter({ hasText: conversionId })
    .filter({ has: page.getByText(type, { exact: true }) });
const live = (page: Page) => page.getByRole('status').filter({ hasText: 'Live: events appear' }).waitFor();

describe('events (/ui/events)', () => {
  it('tails the feed with the ids and positions it pulls with, filters by type, pauses and resumes', async () => {
    const s = await c.f.setup();
    const page = await c.signedInPage('/ui/events');
    await live(page);
    await page.getByText('No events yet').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    const first = await newConversion(s);
    const created = eventRow(page, first, 'conversion.created');
    await created.waitFor();
    expect(await created.getByRole('link', { name: first }).getAttribute('href')).toBe(`/ui/conversions/${first}`);
    expect(await created.textContent()).toContain('payout 5.00 USD');
    // Opened, the event shows the id and position the pull feed has for it.
    await created.locator('summary').click();
    const json = JSON.parse((await created.locator('pre').textContent())!) as { id: string };
    const position = Number(/position (\d+)/.exec((await created.locator('summary').textContent())!)![1]);
    const pulled = await c.f.admin('get', `/api/events?after=${position - 1}&limit=1`);
    expect(pulled.body.data).toEqual([json]);
    expect(json).toMatchObject({ type: 'conversion.created', data: { conversion_id: first } });
    await page.getByText(/GET \/api\/events\?after=\d+/).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'events');

    // Paused: counted, not shown; resumed: shown.
    await page.getByRole('button', { name: 'Pause' }).click();
    const second = await newConversion(s);
    await page
      .getByRole('status')
      .filter({ hasText: /Paused: [1-9]\d* new events? waiting/ })
      .waitFor();
    expect(await page.getByRole('row').filter({ hasText: second }).count()).toBe(0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await eventRow(page, second, 'conversion.created').waitFor();

    // A type filter lives in the URL and the stream sends only those types.
    await page.getByLabel('Types').selectOption('conversion.status_changed');
    await page.waitForURL('**/ui/events?types=conversion.status_changed');
    await page.reload();
    await live(page);
    expect(await page.getByLabel('Types').inputValue()).toBe('conversion.status_changed');
    const third = await newConversion(s);
    await waitFor(`${third} approved`, async () => (await c.stack.models.Conversion.findById(third).lean())?.status === 'approved');
    const res = await c.f.admin('post', `/api/conversions/${third}/status`).send({ status: 'reversed', reason: 'chargeback 7741' });
    expect(res.status).toBe(200);
    await eventRow(page, third, 'conversion.status_changed').filter({ hasText: 'processing → approved by system' }).waitFor();
    const reversal = eventRow(page, third, 'conversion.status_changed').filter({ hasText: 'approved → reversed' });
    await reversal.waitFor();
    expect(await reversal.textContent()).toContain('(chargeback 7741)');
    expect(await page.locator('tbody').getByText('conversion.reversed', { exact: true }).count()).toBe(0);
    expect(await page.locator('tbody').getByText('conversion.created', { exact: true }).count()).toBe(0);
  });
});
