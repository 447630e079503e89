import type { Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';

/**
 * Trafficback in the console: an offer's targets, expiry, blocked subs and duplicate window in
 * its form (the API's refusals on their fields), the global target in Configuration, the
 * Trafficback screen (counts by reason, the clicks with filters in the URL, a click's chain) and
 * the overview's count, in Chromium against the real API.
 */
const c = useConsole('ui_trafficback');

/** The input holding `path` in a form (ids are `<form>-<path with dashes>`), as the API names it. */
const field = (page: Page, form: string, path: string) => page.locator(`#${form}-${path.replace(/\./g, '-')}`);

/** The error shown for a field or group: its aria-describedby target, which says `text`. */
async function expectFieldError(page: Page, form: string, path: string, text: string) {
  const errorId = `${form}-${path.replace(/\./g, '-')}-error`;
  await page.locator(`#${errorId}`).filter({ hasText: text }).waitFor();
  const input = field(page, form, path);
  if ((await input.evaluate((e) => e.tagName)) !== 'FIELDSET') expect(await input.getAttribute('aria-invalid')).toBe('true');
  expect((await input.getAttribute('aria-describedby'))?.split(' ')).toContain(errorId);
}

async function expectAxeClean(page: Page) {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

/** A click as a browser makes it; its answer (a 302 to the trafficback target here). */
const click = (offerId: string, affiliateId: string, query: Record<string, string> = {}, ip = '198.51.100.9') =>
  c.f
    .http()
    .get('/click')
    .query({ offer_id: offerId, aff_id: affiliateId, ...query })
    .set('X-Forwarded-For', ip);

describe('trafficback in the console', () => {
  let page: Page;
  const pageErrors: string[] = [];
  let s: Awaited<ReturnType<typeof c.f.setup>>;
  let other: { id: string };
  let fallback: { id: string };
  let loop: { id: string };

  beforeAll(async () => {
    s = await c.f.setup({ name: 'Spring sale' });
    other = await c.f.affiliate({ name: 'Other publisher' });
    fallback = await c.f.offer(s.advertiser.id, { name: 'Fallback offer', url: 'https://fallback-shop.example/land?cid={click_id}' });
    // An offer whose target is the one being edited: pointing back at it would loop.
    loop = await c.f.offer(s.advertiser.id, { name: 'Loop offer', trafficback: { target: { type: 'offer', offer_id: s.offer.id } } });
    page = await c.signedInPage(`/ui/config/offers/${s.offer.id}`);
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  it('sets an offer’s trafficback in its form, with the API’s refusals on their fields', async () => {
    await field(page, 'offer', 'name').waitFor();
    const section = page.getByRole('group', { name: 'Trafficback: clicks this offer cannot take' });
    await section.waitFor();
    expect(await field(page, 'offer', 'trafficback.target.type').inputValue()).toBe('');

    await field(page, 'offer', 'trafficback.target.type').selectOption('url');
    await field(page, 'offer', 'trafficback.target.url').fill('https://fallback.example/?c={click_id}&why={reason}&x={nope}');
    await field(page, 'offer', 'duplicate_click_seconds').fill('0');
    await field(page, 'offer', 'expires_at').fill('2030-01-01T12:00');
    await field(page, 'offer', 'blocked_click_subs').fill('bad-site\nworse-site');
    await page.getByRole('button', { name: "Add an affiliate's target" }).click();
    await field(page, 'offer', 'trafficback.affiliates.0.affiliate_id').selectOption(other.id);
    await field(page, 'offer', 'trafficback.affiliates.0.target.type').selectOption('offer');
    // The offer itself is no choice for its own fallback.
    const choices = await field(page, 'offer', 'trafficback.affiliates.0.target.offer_id')
      .locator('option')
      .evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value));
    expect(choices).toEqual(expect.arrayContaining([fallback.id, loop.id]));
    expect(choices).not.toContain(s.offer.id);
    await field(page, 'offer', 'trafficback.affiliates.0.target.offer_id').selectOption(loop.id);
    await page.getByRole('button', { name: 'Save offer' }).click();

    await expectFieldError(page, 'offer', 'trafficback.target.url', 'unknown macros {nope}');
    await expectFieldError(page, 'offer', 'duplicate_click_seconds', '');
    await expectAxeClean(page);
    expect((await c.f.admin('get', `/api/offers/${s.offer.id}`)).body.trafficback).toEqual({ affiliates: [] });

    // Valid fields, but a chain that loops: the API names the whole trafficback, shown at its group.
    await field(page, 'offer', 'trafficback.target.url').fill('https://fallback.example/?c={click_id}&why={reason}&s={sub1}');
    await field(page, 'offer', 'duplicate_click_seconds').fill('30');
    await page.getByRole('button', { name: 'Save offer' }).click();
    await expectFieldError(page, 'offer', 'trafficback', `trafficback cycle: ${s.offer.id} → ${loop.id} → ${s.offer.id}`);
    expect(await field(page, 'offer', 'trafficback.target.url').inputValue()).toContain('&s={sub1}');

    // Fixed, and paused in the same save: the save lists what changed.
    await field(page, 'offer', 'trafficback.affiliates.0.target.offer_id').selectOption(fallback.id);
    await field(page, 'offer', 'active').selectOption('false');
    await page.getByRole('button', { name: 'Save offer' }).click();
    const saved = page.getByRole('status').filter({ hasText: 'Saved.' });
    await saved.waitFor();
    const text = await saved.textContent();
    expect(text).toContain('trafficback.target.type: (none) → url');
    expect(text).toContain('trafficback.affiliates.0: (none) → added');
    expect(text).toContain('active: true → false');
    expect(text).toContain('expires_at: (none) → 2030-01-01T12:00:00.000Z');

    const offer = (await c.f.admin('get', `/api/offers/${s.offer.id}`)).body;
    expect(offer).toMatchObject({
      active: false,
      trafficback: {
        target: { type: 'url', url: 'https://fallback.example/?c={click_id}&why={reason}&s={sub1}' },
        affiliates: [{ affiliate_id: other.id, target: { type: 'offer', offer_id: fallback.id } }],
      },
      expires_at: '2030-01-01T12:00:00.000Z',
      blocked_click_subs: ['bad-site', 'worse-site'],
      duplicate_click_seconds: 30,
    });
    await expectAxeClean(page);
    // The whole section in one picture: a taller window, the section at its top.
    await page.setViewportSize({ width: 1280, height: 1000 });
    await section.evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.evaluate(() => window.scrollBy(0, -24));
    await screenshot(page, 'offer-trafficback');
    await page.setViewportSize({ width: 1280, height: 800 });

    // The expiry is cleared with its button; the save sends only that (and says so).
    await page.getByRole('button', { name: 'Clear' }).click();
    expect(await field(page, 'offer', 'expires_at').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Save offer' }).click();
    await page.getByRole('status').filter({ hasText: 'expires_at: 2030-01-01T12:00:00.000Z → (none)' }).waitFor();
    const after = (await c.f.admin('get', `/api/offers/${s.offer.id}`)).body;
    expect(after.expires_at ?? null).toBeNull();
    expect(after.trafficback.target.type).toBe('url');
    // Only the changed field was sent (the audit log records the fields a change sent).
    const audit = (await c.f.admin('get', '/api/audit').query({ action: 'offer.update', limit: 1 })).body.data[0];
    expect(audit).toMatchObject({ target_id: s.offer.id, fields: ['expires_at'] });
  });

  let urlClick: string;
  let childClick: string;

  it('lists the turned-away clicks with their reason and where they went, and opens a click’s chain', async () => {
    const toUrl = await click(s.offer.id, s.affiliate.id, { sub1: 'banner-7' });
    expect(toUrl.status).toBe(302);
    expect(toUrl.headers['x-trafficback-reason']).toBe('offer_paused');
    const location = new URL(toUrl.headers.location!);
    expect(`${location.origin}${location.pathname}`).toBe('https://fallback.example/');
    expect(location.searchParams.get('why')).toBe('offer_paused');
    expect(location.searchParams.get('s')).toBe('banner-7');
    urlClick = location.searchParams.get('c')!;
    // The other affiliate's own target: the fallback offer, through a child click.
    const toOffer = await click(s.offer.id, other.id);
    expect(toOffer.status).toBe(302);
    childClick = new URL(toOffer.headers.location!).searchParams.get('cid')!;
    expect(toOffer.headers.location).toMatch(/^https:\/\/fallback-shop\.example\/land\?cid=/);

    await page.goto('/ui/trafficback');
    await page.getByRole('heading', { name: 'Trafficback', level: 1 }).waitFor();
    const counts = page.getByRole('list', { name: 'Turned away by reason' });
    await counts.getByRole('link', { name: '2 Offer paused' }).waitFor();
    await rows(page).nth(1).waitFor();
    // Newest first: the other affiliate's click, then the first one.
    expect(await rows(page).count()).toBe(2);
    const toOfferRow = rows(page).nth(0);
    expect(await toOfferRow.textContent()).toContain('Other publisher');
    expect(await toOfferRow.textContent()).toContain(`offer Fallback offer (click ${childClick})`);
    const toUrlRow = rows(page).nth(1);
    expect(await toUrlRow.textContent()).toContain('Offer paused');
    expect(await toUrlRow.textContent()).toContain('Spring sale');
    // Where the visitor was sent: the target's macros filled with the click's values.
    expect(await toUrlRow.textContent()).toMatch(/URL https:\/\/fallback\.example\/\?c=clk_\w+&why=offer_paused&s=banner-7/);
    await expectAxeClean(page);

    // Opened: the chain, hop by hop, and the click's id, sub ids and IP.
    await page.getByRole('button', { name: `Show chain of click ${urlClick}` }).click();
    const opened = page.locator(`#tb-${urlClick}`);
    const hop = opened.locator('.tb-chain li').first();
    expect(await hop.textContent()).toContain('Spring sale');
    expect(await hop.textContent()).toContain('offer_paused');
    expect(await hop.textContent()).toContain("the offer's target (level offer)");
    const facts = await opened.locator('dl.facts').innerText();
    expect(facts).toContain(urlClick);
    expect(facts).toContain('sub1=banner-7');
    expect(facts).toContain('198.51.100.9');
    const api = (await c.f.admin('get', `/api/clicks/${urlClick}`)).body;
    expect(api.trafficback.chain).toEqual([{ offer_id: s.offer.id, reason: 'offer_paused', level: 'offer' }]);
    await toOfferRow.getByRole('button', { name: /^Show chain of click / }).click();
    expect(await page.locator('.tb-open').count()).toBe(2);
    expect(await page.locator('.tb-open').first().textContent()).toContain("the affiliate's target on this offer (level affiliate)");
    await expectAxeClean(page);
    await screenshot(page, 'trafficback');

    // Filters stand in the URL: a reason with no clicks, then the offer's paused ones, across a reload.
    await page.getByLabel('Reason', { exact: true }).selectOption('cap_reached');
    await page.waitForURL('**/ui/trafficback?reason=cap_reached');
    await page.getByText('No trafficback clicks match').waitFor();
    await page.getByLabel('Reason', { exact: true }).selectOption('offer_paused');
    await page.getByLabel('Offer asked for').selectOption(s.offer.id);
    await page.waitForURL(`**/ui/trafficback?reason=offer_paused&offer_id=${s.offer.id}`);
    await page.reload();
    await rows(page).nth(1).waitFor();
    expect(await page.getByLabel('Reason', { exact: true }).inputValue()).toBe('offer_paused');
    expect(await page.getByLabel('Offer asked for').inputValue()).toBe(s.offer.id);
    await page.getByRole('heading', { name: 'Last 24 hours on Spring sale' }).waitFor();
    await page.getByLabel('Affiliate').selectOption(other.id);
    await page.waitForURL(`**/ui/trafficback?reason=offer_paused&offer_id=${s.offer.id}&affiliate_id=${other.id}`);
    await page.waitForFunction(() => document.querySelectorAll('.tb-table tbody tr').length === 1);
  });

  it('pages to older clicks with next_before', async () => {
    // 50 a page: 49 more clicks on the paused offer make 51.
    for (let i = 0; i < 49; i++) expect((await click(s.offer.id, s.affiliate.id, { sub1: `n-${i}` })).status).toBe(302);
    await page.goto(`/ui/trafficback?offer_id=${s.offer.id}`);
    await rows(page).nth(49).waitFor();
    expect(await rows(page).count()).toBe(50);
    await page.getByRole('link', { name: 'Older' }).click();
    await page.waitForURL(/before=/);
    await page.waitForFunction(() => document.querySelectorAll('.tb-table tbody tr').length === 1);
    // The oldest is the first click of all, the one to the URL.
    await rows(page)
      .first()
      .getByRole('button', { name: `Show chain of click ${urlClick}` })
      .waitFor();
    expect(await page.getByRole('link', { name: 'Older' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Newest' }).click();
    await rows(page).nth(49).waitFor();
  });

  it('sets the global target in Configuration, refusing an unknown macro on the URL field', async () => {
    await page.goto('/ui/config');
    const card = page.getByRole('region', { name: 'Global trafficback' });
    await card.getByText('Now: a 404 (not found) (the default)').waitFor();
    await field(page, 'global-tb', 'target.type').selectOption('url');
    await field(page, 'global-tb', 'target.url').fill('https://network.example/tb?why={reason}&x={nope}');
    await page.getByRole('button', { name: 'Save global target' }).click();
    await expectFieldError(page, 'global-tb', 'target.url', 'unknown macros {nope}');
    await expectAxeClean(page);
    expect((await c.f.admin('get', '/api/trafficback')).body.target).toEqual({ type: 'not_found' });

    await field(page, 'global-tb', 'target.url').fill('https://network.example/tb?why={reason}');
    await page.getByRole('button', { name: 'Save global target' }).click();
    await page.getByRole('status').filter({ hasText: 'target.type: not_found → url' }).waitFor();
    await card.getByText('Now: URL https://network.example/tb?why={reason}').waitFor();
    const global = (await c.f.admin('get', '/api/trafficback')).body;
    expect(global.target).toEqual({ type: 'url', url: 'https://network.example/tb?why={reason}' });
    expect(global.updated_at).toEqual(expect.any(String));
    await expectAxeClean(page);

    // A click for an offer that does not exist goes there.
    const unknown = await click('off_nope', s.affiliate.id);
    expect(unknown.status).toBe(302);
    expect(unknown.headers.location).toBe('https://network.example/tb?why=offer_unknown');
    await page.goto('/ui/trafficback?reason=offer_unknown');
    const row = rows(page).first();
    await row.waitFor();
    expect(await row.textContent()).toContain('no such offer');
    expect(await page.getByText(/they go to URL https:\/\/network\.example\/tb\?why=\{reason\} \(the global target\)/).count()).toBe(1);
  });

  it('shows the trafficback count next to clicks on the overview', async () => {
    await page.goto('/ui/?last=24h&tz=UTC');
    const figure = (label: string) =>
      page
        .locator('.headline .figure')
        .filter({ has: page.getByText(label, { exact: true }) })
        .locator('.value');
    const value = figure('Trafficback');
    await value.waitFor();
    const totals = (await c.f.admin('get', '/api/overview').query({ last: '24h', timezone: 'UTC' })).body.totals as Total[];
    expect(await value.innerText()).toBe(String(totals.reduce((n, t) => n + t.trafficback, 0)));
    expect(await value.innerText()).toBe('52');
    // The unknown offer's click has no currency: the API's total for it has no money, and the money figures leave it out.
    expect(totals.map((t) => t.currency)).toEqual(['USD', null]);
    expect(await figure('Payout').innerText()).toBe('0.00 USD');
    expect(await figure('Conversion rate').innerText()).toBe('0.00 %');
  });

  it('works at phone width', async () => {
    const phone = await c.signedInPage('/ui/trafficback', { width: 390, height: 844 });
    await rows(phone).first().waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.goto(`/ui/config/offers/${s.offer.id}`);
    await field(phone, 'offer', 'trafficback.target.url').waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAxeClean(phone);
    await phone.context().close();
  });

  it('threw no script error on any of these pages', () => {
    expect(pageErrors).toEqual([]);
  });
});

type Total = { currency: string | null; trafficback: number };
const rows = (page: Page) => page.locator('.tb-table tbody tr:not(.tb-open)');
