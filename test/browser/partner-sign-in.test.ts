import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';

const c = useConsole('ui_partner_signin');

/** An affiliate with a sign-in link from the admin API, as the network would send it. */
async function affiliateLink(body: Record<string, unknown> = {}) {
  const affiliate = await c.f.affiliate({ name: 'Linked Media' });
  const res = await c.f.admin('post', '/api/portal-links').send({ principal: `affiliate:${affiliate.id}`, ...body });
  expect(res.status).toBe(201);
  return { affiliate, url: new URL(res.body.url as string) };
}

describe('partner sign-in', () => {
  it('signs an affiliate in once with its link, then says a used link is spent and what to do', async () => {
    const { affiliate, url } = await affiliateLink();
    expect(url.pathname).toBe('/ui/sign-in');
    const page = await c.newPage();
    await page.goto(`${url.pathname}${url.hash}`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // The token leaves the address bar (and the history) at once; the console moves to the realm's first screen.
    await page.waitForURL((u) => u.pathname === '/ui/' && u.hash === '');
    await page.getByText(`affiliate:${affiliate.id}`).first().waitFor();
    // Only the partner's own screens: none of the network's.
    const nav = page.getByRole('navigation', { name: 'Screens' });
    for (const staffOnly of ['Overview', 'Deliveries', 'Trafficback', 'Live', 'Events', 'Subscriptions', 'Configuration', 'Audit log'])
      expect(await nav.getByRole('link', { name: staffOnly, exact: true }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);

    const again = await c.newPage();
    await again.goto(`${url.pathname}${url.hash}`);
    const notice = again.getByRole('alert');
    await notice.filter({ hasText: 'already been used or has expired' }).waitFor();
    expect(await notice.textContent()).toContain('Ask your contact at the network for a new link');
    expect(new URL(again.url()).hash).toBe('');
    expect(await again.context().cookies()).toEqual([]);
    expect(await seriousA11yViolations(again)).toEqual([]);
    await screenshot(again, 'sign-in-link-used');
  });

  it('signs a partner in with its pf_ key on the same form, and shows a read-only session as such', async () => {
    const affiliate = await c.f.affiliate({ name: 'Keyed Media' });
    const key = await c.f.admin('post', '/api/keys').send({ name: 'console', principal: `affiliate:${affiliate.id}`, read_only: true });
    expect(key.status).toBe(201);
    const page = await c.newPage();
    await page.goto('/ui/');
    await page.getByLabel('Admin key or partner key').fill(key.body.key as string);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`affiliate:${affiliate.id} (read-only)`).waitFor();
    expect(await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    // A staff screen's URL is not a screen of this realm.
    await page.goto('/ui/audit');
    await page.getByText('No such screen').waitFor();
  });
});
