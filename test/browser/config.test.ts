import type { Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';

const c = useConsole('ui_config');

/** The input holding `path` in a form (ids are `<form>-<path with dashes>`), as the API names it. */
const field = (page: Page, form: string, path: string) => page.locator(`#${form}-${path.replace(/\./g, '-')}`);

/** The error shown next to a field: its aria-describedby target, which says `text`. */
async function expectFieldError(page: Page, form: string, path: string, text: string) {
  const input = field(page, form, path);
  const errorId = `${form}-${path.replace(/\./g, '-')}-error`;
  await page.locator(`#${errorId}`).filter({ hasText: text }).waitFor();
  expect(await input.getAttribute('aria-invalid')).toBe('true');
  expect((await input.getAttribute('aria-describedby'))?.split(' ')).toContain(errorId);
}

async function expectAxeClean(page: Page) {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

describe('console configuration', () => {
  let page: Page;
  let token: string;
  let advertiserId: string;
  let affiliateId: string;
  let offerId: string;
  let trackingLink: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    page = await c.signedInPage('/ui/config');
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  it('creates an advertiser and shows its token once, with the postback URL template', async () => {
    await page.getByRole('heading', { name: 'Setting up a campaign' }).waitFor();
    await expectAxeClean(page);

    await page.getByRole('navigation', { name: 'Configuration' }).getByRole('link', { name: 'Advertisers' }).click();
    await page.getByText('No advertisers yet').waitFor();
    await expectAxeClean(page);
    await page.getByRole('link', { name: 'New advertiser' }).click();

    // A field error from the API lands next to its field; the other input keeps what was typed.
    await page.getByLabel('Name').fill('Acme Shop');
    await page.getByLabel('IP allowlist').fill('203.0.113.0/24\nnot-an-ip');
    await page.getByRole('button', { name: 'Create advertiser' }).click();
    await expectFieldError(page, 'adv-new', 'ip_allowlist', 'entry 2: must be an IP address or CIDR range');
    expect(await page.getByLabel('Name').inputValue()).toBe('Acme Shop');
    await expectAxeClean(page);

    await page.getByLabel('IP allowlist').fill('');
    await page.getByRole('button', { name: 'Create advertiser' }).click();
    await page.getByText('Copy the postback token now: it is not shown again.').waitFor();
    token = await page.getByLabel('Postback token').inputValue();
    expect(token).toMatch(/^pt_/);
    const template = await page.getByLabel('Postback URL template').inputValue();
    expect(template).toBe(`${c.baseUrl}/postback?click_id={click_id}&txid={txid}&amount={amount}&token=${token}`);
    await expectAxeClean(page);

    await page.getByRole('link', { name: 'Open the advertiser' }).click();
    await page.getByRole('heading', { name: 'Acme Shop' }).waitFor();
    advertiserId = page.url().split('/').pop()!;
    // Later the token is a placeholder: only its hash is kept.
    expect(await page.getByLabel('Postback URL template').inputValue()).toContain('token={token}');
    expect(await page.content()).not.toContain(token);
    expect((await c.f.admin('get', `/api/advertisers/${advertiserId}`)).body).toMatchObject({ name: 'Acme Shop', ip_allowlist: [] });
  });

  it('creates an affiliate, whose page offers the tracking link once there is an offer', async () => {
    await page.getByRole('navigation', { name: 'Configuration' }).getByRole('link', { name: 'Affiliates' }).click();
    await page.getByText('No affiliates yet').waitFor();
    await page.getByRole('link', { name: 'New affiliate' }).click();
    await page.getByLabel('Name').fill('Best Publisher');
    await page.getByRole('button', { name: 'Create affiliate' }).click();
    await page.getByText('Affiliate “Best Publisher” created.').waitFor();
    affiliateId = page.url().split('/').pop()!;
    expect(affiliateId).toMatch(/^aff_/);
    await page.getByRole('link', { name: 'create an offer' }).waitFor();
    await expectAxeClean(page);
  });

  it('creates an offer with a goal and a cap, showing the API’s field errors next to the fields first', async () => {
    await page.getByRole('navigation', { name: 'Configuration' }).getByRole('link', { name: 'Offers' }).click();
    await page.getByText('No offers yet').waitFor();
    await page.getByRole('link', { name: 'New offer' }).click();
    await page.getByRole('heading', { name: 'New offer' }).waitFor();
    expect(await field(page, 'offer-new', 'advertiser_id').inputValue()).toBe(advertiserId);

    await field(page, 'offer-new', 'name').fill('Acme sale');
    await field(page, 'offer-new', 'url').fill('shop.example/land');
    await field(page, 'offer-new', 'goals.0.payout.amount').fill('5,00');
    await field(page, 'offer-new', 'goals.0.revenue.amount').fill('8.00');
    await page.getByRole('button', { name: 'Add a cap' }).click();
    await field(page, 'offer-new', 'caps.0.limit').fill('100');
    await field(page, 'offer-new', 'caps.0.timezone').fill('America/New_York');
    await page.getByRole('button', { name: 'Create offer' }).click();

    await expectFieldError(page, 'offer-new', 'url', 'must be an http(s) URL');
    await expectFieldError(page, 'offer-new', 'goals.0.payout.amount', 'must be a non-negative decimal');
    // The summary takes focus and links each problem to its field; nothing typed was lost.
    await expect(page.getByRole('alert').filter({ hasText: 'Not saved' }).textContent()).resolves.toContain('Your changes are still here');
    expect(await field(page, 'offer-new', 'name').inputValue()).toBe('Acme sale');
    expect(await field(page, 'offer-new', 'goals.0.revenue.amount').inputValue()).toBe('8.00');
    expect(await field(page, 'offer-new', 'caps.0.limit').inputValue()).toBe('100');
    expect(await field(page, 'offer-new', 'caps.0.timezone').inputValue()).toBe('America/New_York');
    await expectAxeClean(page);
    await page.getByRole('link', { name: /goals\.0\.payout\.amount/ }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('offer-new-goals-0-payout-amount');
    await screenshot(page, 'config-offer');

    await field(page, 'offer-new', 'url').fill('https://shop.example/land?cid={click_id}&s1={sub1}');
    await field(page, 'offer-new', 'goals.0.payout.amount').fill('5.00');
    await page.getByRole('button', { name: 'Create offer' }).click();
    await page.getByText('Offer “Acme sale” created.').waitFor();
    offerId = page.url().split('/').pop()!;
    expect(offerId).toMatch(/^off_/);

    const offer = (await c.f.admin('get', `/api/offers/${offerId}`)).body;
    expect(offer).toMatchObject({
      advertiser_id: advertiserId,
      url: 'https://shop.example/land?cid={click_id}&s1={sub1}',
      currency: 'USD',
      default_goal: 'sale',
      goals: [{ key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' } }],
      caps: [{ metric: 'conversions', period: 'day', limit: '100', timezone: 'America/New_York', on_exceed: 'reject' }],
    });
  });

  it('edits the offer: prefilled from the API, a save shows what changed, a refused one keeps the edits', async () => {
    expect(await field(page, 'offer', 'goals.0.payout.amount').inputValue()).toBe('5.00');
    expect(await field(page, 'offer', 'caps.0.limit').inputValue()).toBe('100');

    await field(page, 'offer', 'goals.0.payout.amount').fill('7.50');
    await field(page, 'offer', 'caps.0.limit').fill('1.5');
    await page.getByRole('button', { name: 'Save offer' }).click();
    await expectFieldError(page, 'offer', 'caps.0.limit', 'a conversions cap takes a whole number');
    expect(await field(page, 'offer', 'goals.0.payout.amount').inputValue()).toBe('7.50');
    expect((await c.f.admin('get', `/api/offers/${offerId}`)).body.goals[0].payout.amount).toBe('5.00');

    // Leaving with unsaved changes asks first; declining keeps them.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.getByRole('navigation', { name: 'Configuration' }).getByRole('link', { name: 'Offers' }).click();
    expect(await field(page, 'offer', 'goals.0.payout.amount').inputValue()).toBe('7.50');

    await field(page, 'offer', 'caps.0.limit').fill('50');
    await field(page, 'offer', 'fraud.blocked_sub_ids').fill('known-bad-site');
    await page.getByRole('button', { name: 'Save offer' }).click();
    const saved = page.getByRole('status').filter({ hasText: 'Saved.' });
    await saved.waitFor();
    const text = await saved.textContent();
    expect(text).toContain('goals.0.payout.amount: 5.00 → 7.50');
    expect(text).toContain('caps.0.limit: 100 → 50');
    expect(text).toContain('fraud.blocked_sub_ids: (none) → known-bad-site');

    const offer = (await c.f.admin('get', `/api/offers/${offerId}`)).body;
    expect(offer.goals[0].payout).toEqual({ type: 'fixed', amount: '7.50' });
    expect(offer.caps[0].limit).toBe('50');
    expect(offer.fraud.blocked_sub_ids).toEqual(['known-bad-site']);
    await expectAxeClean(page);
  });

  it('shows a tracking link ready to copy that redirects to the offer’s URL', async () => {
    await page.goto(`/ui/config/affiliates/${affiliateId}`);
    const link = page.getByLabel('Tracking link');
    await link.waitFor();
    trackingLink = await link.inputValue();
    expect(trackingLink).toBe(`${c.baseUrl}/click?offer_id=${offerId}&aff_id=${affiliateId}&sub1={sub1}`);

    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(trackingLink);
    await screenshot(page, 'config');

    // Where the clipboard is refused, the link is selected in its read-only input for Ctrl+C.
    await page.evaluate(() => {
      navigator.clipboard.writeText = () => Promise.reject(new Error('denied'));
    });
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Selected: press Ctrl+C').waitFor();
    const selection = await page.evaluate(() => {
      const input = document.activeElement as HTMLInputElement;
      return { id: input.id, start: input.selectionStart, end: input.selectionEnd, length: input.value.length };
    });
    expect(selection).toEqual({ id: 'tracking-link', start: 0, end: selection.length, length: trackingLink.length });
    await expectAxeClean(page);

    const click = await c.f.http().get(trackingLink.slice(c.baseUrl.length).replace('{sub1}', 'banner-1'));
    expect(click.status).toBe(302);
    expect(click.headers.location).toMatch(/^https:\/\/shop\.example\/land\?cid=[^&]+&s1=banner-1$/);

    // The token shown at creation is the advertiser's real one: its postback for that click is accepted.
    const clickId = new URL(click.headers.location!).searchParams.get('cid')!;
    const postback = await c.f.http().get('/postback').query({ click_id: clickId, txid: 'order-1', amount: '20.00', token });
    expect(postback.status).toBe(200);
    expect(postback.body.result).toBe('accepted');
  });

  it('adds an affiliate postback endpoint, with the API refusing an unknown macro next to the URL', async () => {
    await page.getByRole('link', { name: 'Manage postback endpoints' }).click();
    await page.getByRole('heading', { name: 'Add a postback endpoint' }).waitFor();
    await field(page, 'pb-new', 'url').fill('https://tracker.example/pb?clickid={sub1}&payout={payout}&x={nope}');
    await field(page, 'pb-new', 'events').getByLabel('reversed').check();
    await field(page, 'pb-new', 'offer_id').selectOption(offerId);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expectFieldError(page, 'pb-new', 'url', 'unknown macros {nope}');
    expect(await field(page, 'pb-new', 'offer_id').inputValue()).toBe(offerId);
    await expectAxeClean(page);

    await field(page, 'pb-new', 'url').fill('https://tracker.example/pb?clickid={sub1}&payout={payout}&status={status}');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByText(/Endpoint pb_\S+ added\./).waitFor();
    await page.getByRole('link', { name: 'https://tracker.example/pb?clickid={sub1}&payout={payout}&status={status}' }).waitFor();
    expect(await field(page, 'pb-new', 'url').inputValue()).toBe('');

    const { body } = await c.f.admin('get', `/api/affiliates/${affiliateId}/postbacks`);
    expect(body.data).toEqual([
      expect.objectContaining({
        url: 'https://tracker.example/pb?clickid={sub1}&payout={payout}&status={status}',
        method: 'GET',
        events: ['approved', 'reversed'],
        offer_id: offerId,
        active: true,
      }),
    ]);
    await expectAxeClean(page);

    // Its page edits it, prefilled, and says what the save changed.
    await page.getByRole('link', { name: 'https://tracker.example/pb?clickid={sub1}&payout={payout}&status={status}' }).click();
    expect(await field(page, 'pb', 'url').inputValue()).toBe('https://tracker.example/pb?clickid={sub1}&payout={payout}&status={status}');
    await field(page, 'pb', 'events').getByLabel('declined').check();
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByRole('status').filter({ hasText: 'events: approved, reversed → approved, declined, reversed' }).waitFor();
    expect((await c.f.admin('get', `/api/postbacks/${body.data[0].id}`)).body.events).toEqual(['approved', 'declined', 'reversed']);
    await expectAxeClean(page);
  });

  it('deactivates an affiliate (its tracking link then answers 404) and reactivates it', async () => {
    const path = trackingLink.slice(c.baseUrl.length);
    await page.goto(`/ui/config/affiliates/${affiliateId}`);
    await page.getByRole('button', { name: 'Deactivate affiliate…' }).click();
    await page.getByRole('button', { name: 'Yes, deactivate' }).click();
    await page.getByRole('button', { name: 'Reactivate affiliate' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'active: true → false' }).waitFor();
    expect((await c.f.http().get(path)).status).toBe(404);
    await expectAxeClean(page);

    await page.getByRole('button', { name: 'Reactivate affiliate' }).click();
    await page.getByRole('button', { name: 'Deactivate affiliate…' }).waitFor();
    expect((await c.f.http().get(path)).status).toBe(302);
  });

  it('works at phone width', async () => {
    const phone = await c.signedInPage(`/ui/config/offers/${offerId}`, { width: 390, height: 844 });
    await field(phone, 'offer', 'name').waitFor();
    expect(await field(phone, 'offer', 'name').inputValue()).toBe('Acme sale');
    // Nothing wider than the screen: the form's rows wrap instead.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAxeClean(phone);
    await phone.goto('/ui/config/offers');
    await phone.getByRole('link', { name: 'Acme sale' }).waitFor();
    await expectAxeClean(phone);
    await phone.context().close();
  });

  it('threw no script error on any of these pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
