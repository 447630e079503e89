import type { Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, useConsole } from '../support/browser';
import { waitFor } from '../support/wait-for';

/** The advertiser's own view of the console, signed in with the link the admin sends it; the API confines it. */
const c = useConsole('ui_advertiser');

const pendingGoal = [
  { key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' }, default_status: 'pending' },
];

interface Party {
  advertiser: { id: string; postback_token: string };
  reviewable: { id: string };
  networkReviewed: { id: string };
  affiliateId: string;
  conversions: { reviewable: string; networkReviewed: string };
}

/** An advertiser with two offers (one it may review, one the network reviews) and a pending conversion on each. */
async function seedAdvertiser(name: string): Promise<Party> {
  const advertiser = await c.f.advertiser({ name });
  const affiliate = await c.f.affiliate({ name: `${name} traffic` });
  const reviewable = await c.f.offer(advertiser.id, { name: `${name} reviewed offer`, goals: pendingGoal, advertiser_can_review: true });
  const networkReviewed = await c.f.offer(advertiser.id, { name: `${name} network offer`, goals: pendingGoal });
  const convert = async (offerId: string, txid: string) =>
    c.f.convert({ clickId: await c.f.click(offerId, affiliate.id), token: advertiser.postback_token }, { txid });
  const conversions = {
    reviewable: await convert(reviewable.id, `${name}-order-1`),
    networkReviewed: await convert(networkReviewed.id, `${name}-order-2`),
  };
  // Pending once screened and attributed: the workflow has taken them.
  for (const id of Object.values(conversions))
    await waitFor(`conversion ${id} pending`, async () => (await c.stack.models.Conversion.findById(id).lean())?.status === 'pending');
  return { advertiser, reviewable, networkReviewed, affiliateId: affiliate.id, conversions };
}

/** Opens the sign-in link the admin made for the advertiser, as its user would. */
async function signInWithLink(advertiserId: string, viewport?: { width: number; height: number }): Promise<Page> {
  const link = await c.f.admin('post', '/api/portal-links').send({ principal: `advertiser:${advertiserId}` });
  expect(link.status).toBe(201);
  const url = new URL(link.body.url as string);
  const page = await c.newPage(viewport);
  await page.goto(`${url.pathname}${url.hash}`);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

let mine: Party;
let theirs: Party;
beforeAll(async () => {
  mine = await seedAdvertiser('Acme Shoes');
  theirs = await seedAdvertiser('Other Shop');
}, 120_000);

/** None of the other advertiser's ids appear anywhere on the page. */
async function expectNothingOfTheirs(page: Page) {
  const html = await page.content();
  for (const id of [theirs.advertiser.id, theirs.reviewable.id, theirs.networkReviewed.id, ...Object.values(theirs.conversions)])
    expect(html).not.toContain(id);
  expect(html).not.toContain('Other Shop');
}

describe('advertiser view', () => {
  it('shows only its own offers with its postback URL template, and only its own conversions', async () => {
    const page = await signInWithLink(mine.advertiser.id);
    await page.getByRole('heading', { name: 'Your offers' }).waitFor();
    const offers = page.getByRole('region', { name: 'Your offers' });
    await offers.getByText('Acme Shoes reviewed offer').waitFor();
    await offers.getByText('Acme Shoes network offer').waitFor();
    expect(await offers.getByText('8.00 USD').count()).toBe(2);
    expect(await page.getByLabel('Your postback URL').inputValue()).toBe(
      `${c.baseUrl}/postback?click_id={click_id}&txid={txid}&amount={amount}&token={token}`,
    );
    await expectNothingOfTheirs(page);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'advertiser-offers');

    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Conversions' }).click();
    const table = page.getByRole('region', { name: 'Your conversions' });
    for (const id of Object.values(mine.conversions)) await table.getByRole('link', { name: id }).waitFor();
    expect(await table.getByRole('row').count()).toBe(3);
    await expectNothingOfTheirs(page);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'advertiser-conversions');

    // Another advertiser's conversion looks exactly like one that does not exist.
    const notFound = async (id: string) => {
      await page.goto(`/ui/conversions/${id}`);
      await page.getByText('Conversion not found').waitFor();
      return (await page.getByRole('main').innerText()).replaceAll(id, '<id>');
    };
    const foreign = await notFound(theirs.conversions.reviewable);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(foreign).toBe(await notFound('cv_00000000000000000000000000000000'));
    expect(foreign).not.toContain('Other Shop');
  });

  it('approves a pending conversion where the offer allows it, and is told the network decides where it does not', async () => {
    const page = await signInWithLink(mine.advertiser.id);
    await page.goto(`/ui/conversions/${mine.conversions.reviewable}`);
    await page.getByRole('heading', { name: 'Your decision' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'advertiser-conversion');
    await page.getByLabel('Reason (optional, kept in the history)').fill('order shipped');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Done: the conversion is approved.').waitFor();
    await page.getByRole('region', { name: 'Status history' }).getByText('order shipped').waitFor();
    expect((await c.stack.models.Conversion.findById(mine.conversions.reviewable).lean())!.status).toBe('approved');

    await page.goto(`/ui/conversions/${mine.conversions.networkReviewed}`);
    await page.getByText("Waiting for the network's decision.").waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    // The API refuses it too, with the same reason, whoever asks.
    const key = await c.f.admin('post', '/api/keys').send({ name: 'server', principal: `advertiser:${mine.advertiser.id}` });
    const refused = await c.f
      .http()
      .post(`/api/conversions/${mine.conversions.networkReviewed}/status`)
      .set('Authorization', `Bearer ${key.body.key}`)
      .send({ status: 'approved' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('review_not_allowed');
    expect((await c.stack.models.Conversion.findById(mine.conversions.networkReviewed).lean())!.status).toBe('pending');
  });

  it('lists its postback calls, refused and accepted, with their codes, at phone width', async () => {
    const click = await c.f.click(mine.reviewable.id, mine.affiliateId);
    const refused = await c.f.http().get('/postback').query({ click_id: click, token: 'not-the-token', txid: 'wrong-token-order' });
    expect(refused.status).toBe(401);
    const page = await signInWithLink(mine.advertiser.id, { width: 390, height: 844 });
    await page.goto('/ui/postback-log');
    const log = page.getByRole('region', { name: 'Postback calls' });
    await log.getByRole('row').filter({ hasText: 'invalid_token' }).filter({ hasText: '401' }).first().waitFor();
    await log.getByRole('row').filter({ hasText: 'accepted' }).filter({ hasText: '200' }).first().waitFor();
    await log.getByRole('link', { name: mine.conversions.reviewable }).waitFor();
    await expectNothingOfTheirs(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'advertiser-postback-log');

    await page.getByLabel('Result').selectOption('invalid_token');
    await page.waitForURL('**/ui/postback-log?result=invalid_token');
    await log.getByRole('row').filter({ hasText: 'invalid_token' }).first().waitFor();
    expect(await log.getByRole('row').filter({ hasText: 'accepted' }).count()).toBe(0);
  });

  it('rotates its token: the new one is shown once with its postback URL, the old one works through the overlap', async () => {
    const page = await signInWithLink(mine.advertiser.id);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Postback setup' }).click();
    await page.getByRole('button', { name: 'Rotate the token…' }).click();
    await page.getByLabel('Keep the old token working for (hours)').fill('2');
    await page.getByRole('button', { name: 'Rotate the token' }).click();
    const shown = page.getByRole('region', { name: 'New postback token' });
    const token = await shown.getByLabel('Postback token').inputValue();
    expect(await shown.getByLabel('Postback URL with the new token').inputValue()).toContain(`token=${encodeURIComponent(token)}`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'advertiser-postback-setup');

    const post = async (t: string, txid: string) =>
      (
        await c.f
          .http()
          .get('/postback')
          .query({ click_id: await c.f.click(mine.reviewable.id, mine.affiliateId), token: t, txid })
      ).status;
    expect(await post(token, 'after-rotation-new')).toBe(200);
    expect(await post(mine.advertiser.postback_token, 'after-rotation-old')).toBe(200);
    await page.reload();
    await page.getByText('The token before it is still accepted until').waitFor();
    expect(await page.content()).not.toContain(token);
  });

  it('makes a test click of its own; its server posts it back with its token and the conversion is flagged test', async () => {
    const page = await signInWithLink(mine.advertiser.id);
    await page.goto('/ui/postback-setup');
    const form = page.getByRole('form', { name: 'Test postback' });
    await form.getByLabel('Offer').selectOption({ label: 'Acme Shoes reviewed offer' });
    await form.getByLabel('Affiliate id').fill(mine.affiliateId);
    await form.getByRole('button', { name: 'Make a test click' }).click();
    const template = await page.getByLabel('Test postback URL').inputValue();
    expect(template).toMatch(/\/postback\?click_id=clk_\w+&txid=\{txid\}&amount=\{amount\}&token=\{token\}$/);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Its server fills in the placeholders and calls it with its own token (the pre-rotation one still works in the overlap).
    const filled = template.replace('{txid}', 'test-order').replace('{amount}', '10.00');
    const url = new URL(filled.replace('{token}', encodeURIComponent(mine.advertiser.postback_token)));
    expect(url.origin).toBe(c.baseUrl);
    const sent = await c.f.http().get(`${url.pathname}${url.search}`);
    expect(sent.status).toBe(200);
    // The workflow stores the conversion a moment after the 200.
    const conversion = await waitFor('the test conversion stored', () =>
      c.stack.models.Conversion.findById(sent.body.conversion_id).lean(),
    );
    expect(conversion).toMatchObject({ advertiser_id: mine.advertiser.id, test: true });
  });
});
