import type { Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';

/** The admin's Partner access screen (/ui/config/partners): keys shown once, revocation at once, rotation, sign-in links. */
const c = useConsole('ui_partners');

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
/** What a key opens right now, asked of the API itself. */
const keyStatus = async (key: string) => (await c.f.http().get('/api/keys').set(bearer(key))).status;

async function openAccessPage(page: Page, advertiserName: string) {
  await page.getByRole('navigation', { name: 'Configuration' }).getByRole('link', { name: 'Partner access' }).click();
  await page.getByRole('link', { name: advertiserName }).click();
  await page.getByRole('heading', { name: `${advertiserName}: access` }).waitFor();
}

async function createKey(page: Page, name: string): Promise<string> {
  const form = page.getByRole('form', { name: 'New key' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Fire test postbacks').uncheck();
  await form.getByRole('button', { name: 'Create key' }).click();
  const shown = page.getByRole('region', { name: `Key “${name}” created` });
  await shown.waitFor();
  return shown.getByLabel('API key').inputValue();
}

describe('partner access: keys', () => {
  it('an admin creates a key shown once (after a reload only its prefix), and revoking it answers 401 at once', async () => {
    const adv = await c.f.advertiser({ name: 'Keyed Shop' });
    const page = await c.signedInPage(`/ui/config/advertisers/${adv.id}`);
    await page.getByRole('link', { name: 'Partner access (keys, sign-in link)' }).click();
    await page.getByRole('heading', { name: 'Keyed Shop: access' }).waitFor();
    await page.getByText('No keys yet').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // A refused form keeps what was typed and names the field.
    const form = page.getByRole('form', { name: 'New key' });
    await form.getByLabel('Expires after (days)').fill('900');
    await form.getByRole('button', { name: 'Create key' }).click();
    await form.getByRole('alert').waitFor();
    expect(await form.getByLabel('Expires after (days)').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Expires after (days)').fill('30');

    const key = await createKey(page, 'reporting script');
    expect(key).toMatch(/^pf_/);
    await page.getByText('Copy it now: it is not shown again.').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'partner-access');

    const listed = await c.f.admin('get', `/api/keys?principal=advertiser:${adv.id}`);
    const row = listed.body.data[0] as { id: string; prefix: string; capabilities: string[]; expires_at: string };
    expect(row.capabilities).toEqual(['review_conversions', 'rotate_token', 'manage_keys']);
    expect(key.startsWith(row.prefix)).toBe(true);
    expect(await keyStatus(key)).toBe(200);

    await page.reload();
    const keyRow = page.getByRole('row').filter({ hasText: 'reporting script' });
    await keyRow.getByText(`${row.prefix}…`).waitFor();
    expect(await page.content()).not.toContain(key);
    expect(await keyRow.getByText('active').count()).toBe(1);

    await keyRow.getByRole('button', { name: 'Revoke reporting script…' }).click();
    await keyRow.getByRole('button', { name: 'Yes, revoke' }).click();
    await keyRow.getByText('revoked').waitFor();
    expect(await keyStatus(key)).toBe(401);
  });

  it('rotating shows the new key once and keeps the old one working for the overlap', async () => {
    const adv = await c.f.advertiser({ name: 'Rotating Shop' });
    const page = await c.signedInPage('/ui/config');
    await openAccessPage(page, 'Rotating Shop');
    const oldKey = await createKey(page, 'nightly export');
    await page.getByRole('button', { name: 'I have copied it' }).click();

    const keyRow = page.getByRole('row').filter({ hasText: 'nightly export' });
    await keyRow.getByRole('button', { name: 'Rotate nightly export…' }).click();
    await keyRow.getByLabel('Old key keeps working for (hours)').fill('2');
    await keyRow.getByRole('button', { name: 'Rotate', exact: true }).click();
    const shown = page.getByRole('region', { name: 'New key for “nightly export” (rotated)' });
    await shown.getByText('keeps working for 2 h').waitFor();
    const newKey = await shown.getByLabel('API key').inputValue();
    expect(newKey).not.toBe(oldKey);
    expect([await keyStatus(oldKey), await keyStatus(newKey)]).toEqual([200, 200]);
    const keys = (await c.f.admin('get', `/api/keys?principal=advertiser:${adv.id}`)).body.data as { expires_at: string }[];
    const ends = keys.map((k) => new Date(k.expires_at).getTime()).sort((a, b) => a - b);
    expect(ends[0]! - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);
    expect(ends[0]! - Date.now()).toBeGreaterThan(3_600_000);
  });
});

describe('partner access: sign-in links', () => {
  it('makes a single-use link for an affiliate, shown once with what to do with it, and it signs in once', async () => {
    const aff = await c.f.affiliate({ name: 'Linked Publisher' });
    const page = await c.signedInPage('/ui/config/partners');
    await page.getByRole('link', { name: 'Linked Publisher' }).click();
    const form = page.getByRole('form', { name: 'New sign-in link' });
    // An affiliate is offered an affiliate's capabilities, not an advertiser's.
    expect(await form.getByLabel('Redeliver postbacks').isChecked()).toBe(true);
    expect(await form.getByLabel('Approve or decline pending conversions').count()).toBe(0);
    await form.getByLabel('Read-only').check();
    await form.getByLabel('The link can be opened for').selectOption({ label: '1 hour' });
    await form.getByRole('button', { name: 'Make sign-in link' }).click();
    const shown = page.getByRole('region', { name: 'Sign-in link for Linked Publisher' });
    await shown.getByText('It works once').waitFor();
    await shown.getByText(`affiliate:${aff.id}`).waitFor();
    const url = await shown.getByLabel('Sign-in link').inputValue();
    expect(url).toMatch(new RegExp(`^${c.baseUrl}/ui/sign-in#link=`));
    expect(await seriousA11yViolations(page)).toEqual([]);

    const link = new URL(url).hash.slice('#link='.length);
    const first = await c.f.http().post('/api/session').send({ link });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ principal: `affiliate:${aff.id}`, read_only: true });
    expect((await c.f.http().post('/api/session').send({ link })).status).toBe(401);
  });

  it('fits a phone-width screen', async () => {
    await c.f.advertiser({ name: 'Phone Shop' });
    const page = await c.signedInPage('/ui/config/partners', { width: 390, height: 844 });
    await page.getByRole('link', { name: 'Phone Shop' }).click();
    await page.getByRole('form', { name: 'New sign-in link' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});

describe('partner access: ops', () => {
  it('ops see no Partner access tab, and its URL says only the admin manages it', async () => {
    const ops = await c.f.admin('post', '/api/keys').send({ name: 'ops desk', principal: 'ops' });
    const page = await c.newPage();
    await page.goto('/ui/config');
    await page.getByLabel('Admin key').fill(ops.body.key as string);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Configuration' }).getByRole('link', { name: 'Offers' }).waitFor();
    expect(await page.getByRole('link', { name: 'Partner access' }).count()).toBe(0);
    await page.goto('/ui/config/partners');
    await page.getByText('Only the admin manages partner access').waitFor();
  });
});
