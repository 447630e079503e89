import { TEST_ADMIN_KEY } from '../support/stack';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';

const c = useConsole('ui_signin');

describe('console sign-in', () => {
  it('refuses a wrong key, signs in with the right one, and signs out', async () => {
    const page = await c.newPage();
    await page.goto('/ui/');
    await page.getByLabel('Admin key').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');

    await page.getByLabel('Admin key').fill('not-the-admin-key-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong admin key' }).waitFor();
    expect(await page.getByLabel('Admin key').inputValue()).toBe('');

    await page.getByLabel('Admin key').fill(TEST_ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // The key is gone from the page and from storage: only the HttpOnly cookie remains.
    const stored = await page.evaluate(() =>
      JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }),
    );
    expect(stored).not.toContain(TEST_ADMIN_KEY);
    expect(JSON.parse(stored).cookie).toBe('');
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'postflow_session', httpOnly: true, sameSite: 'Strict', path: '/api' });
    expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000);

    // A reload keeps the session (the cookie), and the screen.
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    await page.reload();
    await page.getByLabel('Admin key').waitFor();
    expect(await page.context().cookies()).toEqual([]);
  });
});

describe('console layout', () => {
  it('is keyboard navigable: a skip link first, then the screens, each reachable with Enter', async () => {
    const page = await c.signedInPage('/ui/');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const labels: string[] = [];
    for (let i = 0; i < 11; i++) {
      await page.keyboard.press('Tab');
      labels.push((await page.evaluate(() => document.activeElement?.textContent?.trim())) ?? '');
    }
    expect(labels).toEqual([
      'postflow',
      'Overview',
      'Conversions',
      'Deliveries',
      'Trafficback',
      'Live',
      'Events',
      'Subscriptions',
      'Configuration',
      'Audit log',
      'Sign out',
    ]);
    // Back to "Conversions" and follow it with the keyboard.
    for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Conversions');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/ui/conversions');
    expect(await page.getByRole('link', { name: 'Conversions' }).getAttribute('aria-current')).toBe('page');
  });

  it('fits a phone-width screen without sideways scrolling, and unknown screens say where to go', async () => {
    const page = await c.signedInPage('/ui/no-such-screen', { width: 390, height: 844 });
    await page.getByText('No such screen').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
