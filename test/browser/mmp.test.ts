import type { Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';

/**
 * MMP integrations in the console (README "Configuration", "MMP postbacks"): an app offer is
 * connected to AppsFlyer on its page (the API's refusals on their fields), the token and the
 * templates are shown once, the tracking link becomes the offer's URL in one click, a postback the
 * vendor would send from the template lands in the integration's log, and the integration's page
 * edits its settings, sending only what changed. Chromium against the real API.
 */
const c = useConsole('ui_mmp');

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

/** Each vendor macro ({x}, {cl?x}, ${(x)!}) replaced as the vendor does it: its value URL-encoded, or nothing (as the integration test). */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{\(([^)]*)\)!\}|\{([^{}]+)\}/g, (_m, branchName: string | undefined, name: string | undefined) =>
    encodeURIComponent(values[(branchName ?? name)!] ?? ''),
  );
}

const goals = [
  { key: 'install', payout: { type: 'fixed', amount: '2.00' }, revenue: { type: 'fixed', amount: '3.00' } },
  { key: 'purchase', payout: { type: 'percent', amount: '10' }, revenue: { type: 'percent', amount: '20' }, allow_multiple: true },
];
const linkBase = 'https://app.appsflyer.com/id123456789?pid=postflow_int';
/** An address in AppsFlyer's published range (45.92.116.0/22), which the integration's allowlist takes. */
const appsflyerIp = '45.92.116.20';

describe('MMP integrations in the console', () => {
  let page: Page;
  const pageErrors: string[] = [];
  let offerId: string;
  let affiliateId: string;
  let integrationId: string;
  let token: string;
  let trackingLink: string;
  let eventTemplate: string;
  let clickId: string;

  beforeAll(async () => {
    const adv = await c.f.advertiser({ name: 'Game Studio' });
    affiliateId = (await c.f.affiliate({ name: 'App Network' })).id;
    offerId = (await c.f.offer(adv.id, { name: 'Space Game', goals, default_goal: 'install', url: 'https://placeholder.example/' })).id;
    page = await c.signedInPage(`/ui/config/offers/${offerId}`);
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  it('connects AppsFlyer on the offer’s page, with the API’s refusals on their fields', async () => {
    const section = page.getByRole('region', { name: 'App install tracking (MMP)' });
    await section.getByText('No MMP connected to this offer.').waitFor();
    await page.getByRole('button', { name: 'Connect an MMP…' }).click();
    expect(await field(page, 'mmp-new', 'vendor').inputValue()).toBe('appsflyer');
    // The install goal is the offer's default goal unless chosen otherwise.
    expect(await field(page, 'mmp-new', 'install_goal').inputValue()).toBe('install');

    await page.getByRole('button', { name: 'Add an event mapping' }).click();
    await field(page, 'mmp-new', 'events.0.event').fill('af_purchase');
    await field(page, 'mmp-new', 'link_base').fill(linkBase);
    await field(page, 'mmp-new', 'post_install_window_hours').fill('0');
    await field(page, 'mmp-new', 'ip_allowlist').fill('not-an-ip');
    await field(page, 'mmp-new', 'vendor_ip_ranges').check();
    // No goal chosen for the mapping: the API names the row's goal, and the other refusals their fields.
    await page.getByRole('button', { name: 'Connect AppsFlyer' }).click();
    await expectFieldError(page, 'mmp-new', 'events.0.goal', '');
    await expectFieldError(page, 'mmp-new', 'post_install_window_hours', '');
    await expectFieldError(page, 'mmp-new', 'ip_allowlist', 'entry 1');
    expect(await field(page, 'mmp-new', 'events.0.event').inputValue()).toBe('af_purchase');
    await expectAxeClean(page);
    expect((await c.f.admin('get', `/api/offers/${offerId}/mmp`)).body).toEqual([]);

    await field(page, 'mmp-new', 'events.0.goal').selectOption('purchase');
    await field(page, 'mmp-new', 'post_install_window_hours').fill('');
    await field(page, 'mmp-new', 'ip_allowlist').fill('');
    await page.getByRole('button', { name: 'Connect AppsFlyer' }).click();

    // The token, this once, and the templates carrying it.
    await page.getByText('Copy the token and the postback URLs now: the token is shown only this once.').waitFor();
    token = await page.locator('#mmp-token').inputValue();
    expect(token).toMatch(/^mmp_/);
    trackingLink = await page.locator('#mmp-created-link').inputValue();
    expect(trackingLink).toBe(`${linkBase}&clickid={click_id}&af_siteid={aff_id}&af_sub1={sub1}`);
    const postbacks = await page
      .locator('textarea[id^="mmp-created-postback-"]')
      .evaluateAll((els) => els.map((e) => (e as HTMLTextAreaElement).value));
    expect(postbacks).toHaveLength(4);
    for (const url of postbacks) expect(url).toContain(`/postback/mmp/appsflyer?token=${token}&`);
    eventTemplate = await page.getByLabel('Postback for in-app events').inputValue();
    expect(eventTemplate).toContain('kind=event');
    await section.getByText('Protect360').waitFor(); // the vendor's instructions
    await section.getByRole('link', { name: 'AppsFlyer' }).waitFor(); // in the offer's list now

    const created = (await c.f.admin('get', `/api/offers/${offerId}/mmp`)).body;
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      vendor: 'appsflyer',
      install_goal: 'install',
      events: [{ event: 'af_purchase', goal: 'purchase' }],
      kind_goals: {},
      post_install_window_hours: null,
      link_base: linkBase,
      ip_allowlist: ['45.92.116.0/22', '194.28.46.0/23'],
      active: true,
    });
    integrationId = created[0].id;
    const row = section.getByRole('row').filter({ hasText: integrationId });
    expect(await row.getByRole('cell').allTextContents()).toEqual([
      `AppsFlyer${integrationId}`,
      `${token.slice(0, 10)}…`,
      'install',
      '1',
      'active',
      expect.any(String),
    ]);
    await expectAxeClean(page);

    await page.setViewportSize({ width: 1280, height: 1250 });
    await section.getByRole('heading', { name: 'App install tracking (MMP)' }).evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.evaluate(() => window.scrollBy(0, -16));
    await screenshot(page, 'mmp-integration');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('saves the tracking link as the offer’s URL in one click, and the offer form follows', async () => {
    await page.getByRole('button', { name: "Use as the offer's URL" }).click();
    await page.getByRole('status').filter({ hasText: "Saved: this is now the offer's URL." }).waitFor();
    expect((await c.f.admin('get', `/api/offers/${offerId}`)).body.url).toBe(trackingLink);
    expect(await field(page, 'offer', 'url').inputValue()).toBe(trackingLink);
    await expectAxeClean(page);

    // A click through postflow now lands on AppsFlyer's link with postflow's click id.
    const res = await c.f.http().get('/click').query({ offer_id: offerId, aff_id: affiliateId, sub1: 'kw' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.location!);
    expect(`${location.origin}${location.pathname}`).toBe('https://app.appsflyer.com/id123456789');
    expect(location.searchParams.get('af_siteid')).toBe(affiliateId);
    clickId = location.searchParams.get('clickid')!;
    expect(clickId).toBeTruthy();
  });

  it('shows the API’s 409 when the offer already has that vendor', async () => {
    await page.getByRole('button', { name: 'Connect another MMP' }).click();
    // The next vendor not yet connected is proposed; AppsFlyer is marked.
    expect(await field(page, 'mmp-new', 'vendor').inputValue()).toBe('adjust');
    await field(page, 'mmp-new', 'vendor').selectOption('appsflyer');
    await page.getByRole('button', { name: 'Connect AppsFlyer' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: `offer "${offerId}" is already connected to appsflyer` })
      .waitFor();
    expect((await c.f.admin('get', `/api/offers/${offerId}/mmp`)).body).toHaveLength(1);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows a postback that made no conversion in the integration’s log, with its raw call', async () => {
    // What AppsFlyer sends for an event nobody mapped, from the template as pasted (the real token in it).
    const url = new URL(
      fill(eventTemplate, {
        clickid: clickId,
        appsflyer_id: '1718035262000-1234567',
        event_name: 'af_level_up',
        event_time: '2026-12-02 10:05:00.120',
      }),
    );
    const sent = await c.f.http().get(`${url.pathname}${url.search}`).set('X-Forwarded-For', appsflyerIp);
    expect([sent.status, sent.body]).toEqual([200, { result: 'logged', reason: 'unmapped_event' }]);
    // Outside the allowlist the vendor's published ranges made: refused.
    expect((await c.f.http().get(`${url.pathname}${url.search}`).set('X-Forwarded-For', '203.0.113.5')).status).toBe(403);

    await page.getByRole('region', { name: 'App install tracking (MMP)' }).getByRole('link', { name: 'AppsFlyer' }).click();
    await page.getByRole('heading', { name: 'AppsFlyer integration of Space Game' }).waitFor();
    const log = page.getByRole('region', { name: 'Logged postbacks' });
    const row = log.getByRole('row').filter({ hasText: 'unmapped_event' });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('af_level_up');
    expect(text).toContain(clickId);
    expect(text).toContain('no goal is mapped to the appsflyer event "af_level_up"');

    // The templates read later carry the placeholder, never the token.
    expect(await page.locator('#mmp-postback-1').inputValue()).toContain('token=%3Cintegration%20token%3E&');
    expect(await page.content()).not.toContain(token);
    await page.getByRole('status').filter({ hasText: "This is the offer's URL." }).waitFor();

    await row.getByRole('button', { name: /Show raw call/ }).click();
    const raw = JSON.parse((await page.locator('.mmp-raw pre').textContent())!) as Record<string, string>;
    expect(raw).toMatchObject({ token: '***', kind: 'event', event: 'af_level_up', click_id: clickId });
    await expectAxeClean(page);

    // The reason filter stands in the URL.
    await page.getByLabel('Reason', { exact: true }).selectOption('no_click_id');
    await page.getByText('Nothing logged as no_click_id').waitFor();
    expect(new URL(page.url()).searchParams.get('reason')).toBe('no_click_id');
    await page.getByLabel('Reason', { exact: true }).selectOption('unmapped_event');
    await row.waitFor();
    await row.getByRole('button', { name: /Show raw call/ }).click();
    await page.locator('.mmp-raw pre').waitFor();

    await page.setViewportSize({ width: 1280, height: 900 });
    await page
      .getByRole('heading', { name: 'Log: postbacks that made no conversion' })
      .evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.evaluate(() => window.scrollBy(0, -16));
    await screenshot(page, 'mmp-log');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('edits the integration: prefilled, a refusal on its field, a save sending only what changed', async () => {
    expect(await field(page, 'mmp', 'events.0.event').inputValue()).toBe('af_purchase');
    expect(await field(page, 'mmp', 'events.0.goal').inputValue()).toBe('purchase');
    expect(await field(page, 'mmp', 'ip_allowlist').inputValue()).toBe('45.92.116.0/22\n194.28.46.0/23');

    // Mapping the logged event twice is refused at the second row.
    await page.getByRole('button', { name: 'Add an event mapping' }).click();
    await field(page, 'mmp', 'events.1.event').fill('af_purchase');
    await field(page, 'mmp', 'events.1.goal').selectOption('install');
    await page.getByRole('button', { name: 'Save integration' }).click();
    await expectFieldError(page, 'mmp', 'events.1.event', '"af_purchase" is mapped twice');

    await field(page, 'mmp', 'events.1.event').fill('af_level_up');
    await field(page, 'mmp', 'post_install_window_hours').fill('168');
    await field(page, 'mmp', 'kind_goals.reengagement').selectOption('install');
    await page.getByRole('button', { name: 'Save integration' }).click();
    const saved = page.getByRole('status').filter({ hasText: 'Saved.' });
    await saved.waitFor();
    const text = await saved.textContent();
    expect(text).toContain('events.1: (none) → added');
    expect(text).toContain('post_install_window_hours: (none) → 168');
    expect(text).toContain('kind_goals.reengagement: (none) → install');

    expect((await c.f.admin('get', `/api/mmp/${integrationId}`)).body).toMatchObject({
      events: [
        { event: 'af_purchase', goal: 'purchase' },
        { event: 'af_level_up', goal: 'install' },
      ],
      post_install_window_hours: 168,
      kind_goals: { reengagement: 'install' },
      ip_allowlist: ['45.92.116.0/22', '194.28.46.0/23'],
    });
    const audit = (await c.f.admin('get', '/api/audit').query({ action: 'mmp_integration.update', limit: 1 })).body.data[0];
    expect(audit).toMatchObject({ target_id: integrationId, fields: ['events', 'kind_goals', 'post_install_window_hours'] });
    await expectAxeClean(page);
  });

  it('works at phone width', async () => {
    const phone = await c.signedInPage(`/ui/config/offers/${offerId}/mmp/${integrationId}`, { width: 390, height: 844 });
    await phone.getByRole('heading', { name: 'AppsFlyer integration of Space Game' }).waitFor();
    await phone.getByRole('region', { name: 'Logged postbacks' }).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.goto(`/ui/config/offers/${offerId}`);
    await phone.getByRole('region', { name: 'App install tracking (MMP)' }).getByRole('link', { name: 'AppsFlyer' }).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAxeClean(phone);
    await phone.context().close();
  });

  it('threw no script error on any of these pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
