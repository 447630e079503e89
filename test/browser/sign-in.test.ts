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
