import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { consoleBuildDir, consoleCsp } from '../../api/console/static';
import { useTestStack } from '../support/preamble';
import { TEST_ADMIN_KEY } from '../support/stack';

/** The console's security at the HTTP level: sessions, CSRF, cookie flags, CSP, no secret served. */
// The console is built once per run by the global setup (test/support/global-setup.ts).
const { stack, f } = useTestStack('console_security');

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

async function signIn() {
  const res = await f.http().post('/api/session').send({ key: TEST_ADMIN_KEY });
  expect(res.status).toBe(201);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = setCookie.find((c) => c.startsWith('postflow_session='))!;
  return { cookie: cookie.split(';')[0]!, setCookie: cookie, csrf: res.body.csrf_token as string, body: res.body };
}

describe('console session', () => {
  it('no session, no access: every /api route answers 401 without a key or a cookie', async () => {
    for (const path of ['/api/conversions', '/api/offers', '/api/deliveries', '/api/session']) {
      const res = await f.http().get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
    const forged = await f.http().get('/api/offers').set('Cookie', 'postflow_session=forged-value');
    expect(forged.status).toBe(401);
  });

  it('a wrong key gets no session; the right one an HttpOnly, SameSite=Strict cookie with an expiry', async () => {
    const wrong = await f.http().post('/api/session').send({ key: 'wrong-key-0123456789' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const missing = await f.http().post('/api/session').send({});
    expect(missing.status).toBe(400);
    expect(missing.body.issues[0].path).toBe('key');

    const { setCookie, body } = await signIn();
    const flags = setCookie.split(';').map((p) => p.trim().toLowerCase());
    expect(flags).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/api']));
    const expires = new Date(setCookie.match(/expires=([^;]+)/i)![1]!);
    expect(expires.getTime()).toBeGreaterThan(Date.now() + 11 * 3600 * 1000); // SESSION_TTL_HOURS default 12
    expect(Math.abs(new Date(body.expires_at).getTime() - expires.getTime())).toBeLessThan(1000); // HTTP dates drop milliseconds
    expect(JSON.stringify(body)).not.toContain(TEST_ADMIN_KEY);
    // The database keeps only a digest of the cookie's value.
    const value = setCookie.split(';')[0]!.split('=')[1]!;
    expect(await stack.models.Session.countDocuments({ _id: value })).toBe(0);
  });

  it('reads with the cookie; a state-changing call needs the CSRF token, and without it changes nothing', async () => {
    const { cookie, csrf } = await signIn();
    expect((await f.http().get('/api/offers').set('Cookie', cookie)).status).toBe(200);

    const before = await stack.models.Advertiser.countDocuments();
    const noToken = await f.http().post('/api/advertisers').set('Cookie', cookie).send({ name: 'Via cookie' });
    expect(noToken.status).toBe(403);
    expect(noToken.body.error).toBe('csrf_failed');
    const wrongToken = await f
      .http()
      .post('/api/advertisers')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', `${csrf}x`)
      .send({ name: 'Via cookie' });
    expect(wrongToken.status).toBe(403);
    expect(await stack.models.Advertiser.countDocuments()).toBe(before);

    const ok = await f.http().post('/api/advertisers').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ name: 'Via cookie' });
    expect(ok.status).toBe(201);
    // A bearer key needs no CSRF token: browsers never send it unasked.
    expect((await f.admin('post', '/api/advertisers').send({ name: 'Via key' })).status).toBe(201);
  });

  it('sign-out needs the CSRF token and ends the session at once; an expired session is refused', async () => {
    const { cookie, csrf } = await signIn();
    expect((await f.http().delete('/api/session').set('Cookie', cookie)).status).toBe(403);
    expect((await f.http().get('/api/offers').set('Cookie', cookie)).status).toBe(200);
    const out = await f.http().delete('/api/session').set('Cookie', cookie).set('X-CSRF-Token', csrf);
    expect(out.status).toBe(204);
    expect((await f.http().get('/api/offers').set('Cookie', cookie)).status).toBe(401);

    const later = await signIn();
    await stack.models.Session.updateMany({}, { $set: { expires_at: new Date(Date.now() - 1000) } });
    expect((await f.http().get('/api/offers').set('Cookie', later.cookie)).status).toBe(401);
  });
});

describe('console files', () => {
  it('are served with a strict Content-Security-Policy, and every screen path gets the app', async () => {
    for (const path of ['/ui/', '/ui/conversions', '/ui/conversions/cv_123?status=approved']) {
      const res = await f.http().get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['content-security-policy']).toBe(consoleCsp);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    const csp = Object.fromEntries(consoleCsp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['style-src']).toEqual(["'self'"]);
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(consoleCsp).not.toMatch(/unsafe-|\*|https?:/);
    expect((await f.http().get('/ui')).headers.location).toBe('/ui/');
    expect((await f.http().get('/ui/assets/nope.js')).status).toBe(404);
    expect((await f.http().get('/ui/assets/../../package.json')).status).not.toBe(200);
    expect((await f.http().post('/ui/')).status).toBe(405);
  });

  it('load nothing from another origin, use no inline script, and contain no admin key or signing secret', async () => {
    const html = (await f.http().get('/ui/')).text;
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/); // every script is a file
    expect(html).not.toMatch(/(src|href)="https?:/);
    const files = readdirSync(path.join(consoleBuildDir, 'assets')).filter((n) => /\.(js|css)$/.test(n));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const res = await f.http().get(`/ui/assets/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toMatch(/immutable/);
      const text = readFileSync(path.join(consoleBuildDir, 'assets', name), 'utf8');
      expect(text).not.toContain(TEST_ADMIN_KEY);
    }
    // Compressed copies are served to browsers that accept them.
    const js = files.find((n) => n.endsWith('.js'))!;
    const gz = await f.http().get(`/ui/assets/${js}`).set('Accept-Encoding', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
  });

  it('the API never answers with the admin key or an endpoint signing secret', async () => {
    const s = await f.setup();
    const endpoint = await f.endpoint(s.affiliate.id, { url: 'http://127.0.0.1:9/pb?c={click_id}', signing_secret: SECRET });
    const { cookie } = await signIn();
    for (const path of [
      '/api/session',
      `/api/affiliates/${s.affiliate.id}/postbacks`,
      `/api/postbacks/${endpoint.id}`,
      '/api/affiliates',
      '/api/advertisers',
      '/api/offers',
      '/openapi.json',
    ]) {
      const res = await f.http().get(path).set('Cookie', cookie);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.text).not.toContain(TEST_ADMIN_KEY);
      expect(res.text).not.toContain(SECRET);
      expect(res.text).not.toContain(SECRET.slice(6));
    }
  });
});
