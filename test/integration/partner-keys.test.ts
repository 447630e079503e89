import request from 'supertest';
import { createApp } from '../../api/app';
import { sha256 } from '../../api/auth';
import { useTestStack } from '../support/preamble';
import { TEST_ADMIN_KEY } from '../support/stack';
import { waitFor } from '../support/wait-for';

/** Scoped keys, their realms, rotation and revocation, and single-use partner sign-in links (api/access/). */
const { stack, f } = useTestStack('keys');
const as = (key: string) => ({
  get: (path: string) => f.http().get(path).set('Authorization', `Bearer ${key}`),
  post: (path: string, body: object = {}) => f.http().post(path).set('Authorization', `Bearer ${key}`).send(body),
  delete: (path: string) => f.http().delete(path).set('Authorization', `Bearer ${key}`),
});
async function mint(body: Record<string, unknown>) {
  const res = await f.admin('post', '/api/keys').send({ name: 'test key', ...body });
  if (res.status !== 201) throw new Error(`POST /api/keys: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; key: string; prefix: string; principal: string; expires_at: string; capabilities: string[] };
}
const signInWith = async (body: object) => {
  const res = await f.http().post('/api/session').send(body);
  const cookie = (res.headers['set-cookie'] as unknown as string[] | undefined)?.[0]?.split(';')[0];
  return { res, cookie: cookie!, csrf: res.body.csrf_token as string };
};

describe('scoped keys', () => {
  it('are shown once and stored only as a hash with a public prefix', async () => {
    const aff = await f.affiliate();
    const created = await mint({ principal: `affiliate:${aff.id}` });
    expect(created.key).toMatch(/^pf_[0-9a-f]{16}[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const stored = await stack.models.ApiKey.findById(created.id).lean();
    expect(stored!.hash).toBe(sha256(created.key));
    expect(JSON.stringify(stored)).not.toContain(created.key);
    const listed = await f.admin('get', `/api/keys/${created.id}`);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(created.key);
    expect(listed.body).toMatchObject({ principal: `affiliate:${aff.id}`, state: 'active', read_only: false, last_used_at: null });
  });

  it('name a principal that exists: a typo is a 400 on principal', async () => {
    const res = await f.admin('post', '/api/keys').send({ name: 'k', principal: 'affiliate:aff_nobody' });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: 'principal' })]);
    const bad = await f.admin('post', '/api/keys').send({ name: 'k', principal: 'partner:x' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('principal');
  });

  it('keep each realm to its routes: 403 out_of_realm outside it, ops everywhere but keys', async () => {
    const aff = await f.affiliate();
    const affiliate = as((await mint({ principal: `affiliate:${aff.id}` })).key);
    const ops = as((await mint({ principal: 'ops' })).key);
    const audit = await affiliate.get('/api/audit');
    expect(audit.status).toBe(403);
    expect(audit.body.error).toBe('out_of_realm');
    expect((await ops.get('/api/audit')).status).toBe(200);
    const opsMint = await ops.post('/api/keys', { name: 'x', principal: 'ops' });
    expect(opsMint.status).toBe(403);
    expect(opsMint.body.error).toBe('out_of_realm');
    expect((await ops.get('/api/keys')).body.error).toBe('out_of_realm');
    const link = await ops.post('/api/portal-links', { principal: `affiliate:${aff.id}` });
    expect(link.body.error).toBe('out_of_realm');
  });

  it('refuse every write to a read-only principal (403 read_only), and nothing is written', async () => {
    const readOnlyOps = as((await mint({ principal: 'ops', read_only: true })).key);
    expect((await readOnlyOps.get('/api/advertisers')).status).toBe(200);
    const before = await stack.models.Advertiser.countDocuments();
    const write = await readOnlyOps.post('/api/advertisers', { name: 'Should not exist' });
    expect(write.status).toBe(403);
    expect(write.body.error).toBe('read_only');
    expect(await stack.models.Advertiser.countDocuments()).toBe(before);
  });

  it('can never mint a broader key than the one used', async () => {
    const [a, b] = [await f.affiliate(), await f.affiliate()];
    const limited = await mint({ principal: `affiliate:${a.id}`, capabilities: ['manage_keys', 'redeliver'], expires_in_days: 10 });
    const partner = as(limited.key);
    const other = await partner.post('/api/keys', { name: 'x', principal: `affiliate:${b.id}` });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: 'broader_than_caller', issues: [expect.objectContaining({ path: 'principal' })] });
    expect((await partner.post('/api/keys', { name: 'x', principal: 'admin' })).body.error).toBe('broader_than_caller');
    const more = await partner.post('/api/keys', {
      name: 'x',
      principal: `affiliate:${a.id}`,
      capabilities: ['manage_keys', 'rotate_secrets'],
    });
    expect(more.body.issues[0].path).toBe('capabilities');
    // No capabilities named: it would get every capability, more than the caller holds.
    expect((await partner.post('/api/keys', { name: 'x', principal: `affiliate:${a.id}` })).body.issues[0].path).toBe('capabilities');
    const longer = await partner.post('/api/keys', {
      name: 'x',
      principal: `affiliate:${a.id}`,
      capabilities: ['redeliver'],
      expires_in_days: 30,
    });
    expect(longer.body.issues[0].path).toBe('expires_in_days');
    const narrower = await partner.post('/api/keys', {
      name: 'x',
      principal: `affiliate:${a.id}`,
      capabilities: ['redeliver'],
      read_only: true,
      expires_in_days: 5,
    });
    expect(narrower.status).toBe(201);
    // A read-only key cannot mint at all, not even a read-only one.
    const readOnly = as(narrower.body.key);
    const again = await readOnly.post('/api/keys', { name: 'x', principal: `affiliate:${a.id}`, read_only: true, expires_in_days: 1 });
    expect(again.status).toBe(403);
    expect(again.body.error).toBe('read_only');
    // Without manage_keys (the narrower key holds only redeliver), not at all either.
    const noManage = as((await mint({ principal: `affiliate:${a.id}`, capabilities: ['redeliver'] })).key);
    expect((await noManage.post('/api/keys', { name: 'x', principal: `affiliate:${a.id}`, capabilities: [] })).body.error).toBe(
      'missing_capability',
    );
  });

  it("outlive the console session they were made in when the admin makes them, never a partner's session", async () => {
    const adv = await f.advertiser();
    const admin = await signInWith({ key: TEST_ADMIN_KEY });
    const made = await f
      .http()
      .post('/api/keys')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ name: 'from the console', principal: `advertiser:${adv.id}`, expires_in_days: 90 });
    expect(made.status).toBe(201);
    const link = await f.admin('post', '/api/portal-links').send({ principal: `advertiser:${adv.id}` });
    const partner = await signInWith({ link: new URL(link.body.url).hash.slice('#link='.length) });
    const longer = await f
      .http()
      .post('/api/keys')
      .set('Cookie', partner.cookie)
      .set('X-CSRF-Token', partner.csrf)
      .send({ name: 'longer than my session', principal: `advertiser:${adv.id}`, capabilities: [], expires_in_days: 2 });
    expect(longer.status).toBe(403);
    expect(longer.body.issues[0].path).toBe('expires_in_days');
  });

  it("show a partner only its own keys; another's key id answers 404 like a missing one", async () => {
    const [a, b] = [await f.affiliate(), await f.affiliate()];
    const keyA = await mint({ principal: `affiliate:${a.id}` });
    const keyB = await mint({ principal: `affiliate:${b.id}` });
    const partner = as(keyA.key);
    const list = await partner.get('/api/keys');
    expect(list.status).toBe(200);
    expect(list.body.data.map((k: { principal: string }) => k.principal)).toEqual([`affiliate:${a.id}`]);
    const foreign = await partner.get(`/api/keys/${keyB.id}`);
    const missing = await partner.get('/api/keys/key_doesnotexist');
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(Object.keys(foreign.body).sort()).toEqual(Object.keys(missing.body).sort());
    expect((await partner.delete(`/api/keys/${keyB.id}`)).status).toBe(404);
    expect((await as(keyB.key).get('/api/keys')).status).toBe(200); // untouched
  });

  it('stop working at once when revoked, in every API process, and end the sessions opened with them', async () => {
    const aff = await f.affiliate();
    const created = await mint({ principal: `affiliate:${aff.id}` });
    const otherProcess = createApp({ config: stack.config, temporal: stack.client, mongo: stack.mongo, models: stack.models });
    const viaOther = () => request(otherProcess.callback()).get('/api/keys').set('Authorization', `Bearer ${created.key}`);
    expect((await viaOther()).status).toBe(200);
    const session = await signInWith({ key: created.key });
    expect(session.res.status).toBe(201);
    expect(session.res.body).toMatchObject({ principal: `affiliate:${aff.id}`, realm: 'affiliate', party_id: aff.id, read_only: false });
    expect((await f.http().get('/api/keys').set('Cookie', session.cookie)).status).toBe(200);

    expect((await f.admin('delete', `/api/keys/${created.id}`)).body.state).toBe('revoked');
    expect((await viaOther()).status).toBe(401);
    expect((await as(created.key).get('/api/keys')).status).toBe(401);
    expect((await f.http().get('/api/keys').set('Cookie', session.cookie)).status).toBe(401);
    expect((await f.http().get('/api/session').set('Cookie', session.cookie)).status).toBe(401);
  });

  it('refuse an expired key; record when a key was last used', async () => {
    const created = await mint({ principal: 'ops' });
    expect((await as(created.key).get('/api/advertisers')).status).toBe(200);
    await waitFor('last_used_at to be recorded', async () => (await stack.models.ApiKey.findById(created.id).lean())?.last_used_at);
    await stack.models.ApiKey.updateOne({ _id: created.id }, { $set: { expires_at: new Date(Date.now() - 1000) } });
    expect((await as(created.key).get('/api/advertisers')).status).toBe(401);
    expect((await f.admin('get', `/api/keys/${created.id}`)).body.state).toBe('expired');
  });

  it('rotate with an overlap: both work during it; with no overlap the old one ends at once', async () => {
    const aff = await f.affiliate();
    const first = await mint({ principal: `affiliate:${aff.id}` });
    const rotated = await f.admin('post', `/api/keys/${first.id}/rotate`).send({});
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ principal: `affiliate:${aff.id}`, rotated_from: first.id });
    expect((await as(first.key).get('/api/keys')).status).toBe(200);
    expect((await as(rotated.body.key).get('/api/keys')).status).toBe(200);
    const old = await f.admin('get', `/api/keys/${first.id}`);
    const overlapMs = Date.parse(old.body.expires_at) - Date.now();
    expect(overlapMs).toBeGreaterThan(23 * 3_600_000);
    expect(overlapMs).toBeLessThanOrEqual(24 * 3_600_000);
    expect(old.body.replaced_by).toBe(rotated.body.id);

    const again = await as(rotated.body.key).post(`/api/keys/${rotated.body.id}/rotate`, { overlap_hours: 0 });
    expect(again.status).toBe(201);
    expect((await as(rotated.body.key).get('/api/keys')).status).toBe(401);
    expect((await as(again.body.key).get('/api/keys')).status).toBe(200);
  });
});

describe('portal sign-in links', () => {
  it('sign a partner in once; a second use and an expired link are refused', async () => {
    const aff = await f.affiliate();
    const link = await f.admin('post', '/api/portal-links').send({ principal: `affiliate:${aff.id}`, capabilities: ['redeliver'] });
    expect(link.status).toBe(201);
    const token = new URL(link.body.url).hash.replace('#link=', '');
    expect(new URL(link.body.url).pathname).toBe('/ui/sign-in');
    expect(await stack.models.PortalLink.findOne({ _id: token })).toBeNull(); // only its digest is stored

    const first = await signInWith({ link: token });
    expect(first.res.status).toBe(201);
    expect(first.res.body).toMatchObject({ principal: `affiliate:${aff.id}`, realm: 'affiliate', capabilities: ['redeliver'] });
    const second = await signInWith({ link: token });
    expect(second.res.status).toBe(401);

    const late = await f.admin('post', '/api/portal-links').send({ principal: `affiliate:${aff.id}` });
    const lateToken = new URL(late.body.url).hash.replace('#link=', '');
    await stack.models.PortalLink.updateOne({ link_id: late.body.id }, { $set: { expires_at: new Date(Date.now() - 1000) } });
    expect((await signInWith({ link: lateToken })).res.status).toBe(401);
  });

  it('a read-only link gives a session refused on every write', async () => {
    const adv = await f.advertiser();
    const link = await f.admin('post', '/api/portal-links').send({ principal: `advertiser:${adv.id}`, read_only: true });
    const session = await signInWith({ link: new URL(link.body.url).hash.replace('#link=', '') });
    expect(session.res.body).toMatchObject({ realm: 'advertiser', read_only: true });
    const write = await f
      .http()
      .post('/api/keys')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrf)
      .send({
        name: 'x',
        principal: `advertiser:${adv.id}`,
        read_only: true,
      });
    expect(write.status).toBe(403);
    expect(write.body.error).toBe('read_only');
  });

  it('only the admin mints them, for a partner that exists', async () => {
    expect((await f.admin('post', '/api/portal-links').send({ principal: 'ops' })).status).toBe(400);
    const missing = await f.admin('post', '/api/portal-links').send({ principal: 'affiliate:aff_missing' });
    expect(missing.body.issues[0].path).toBe('principal');
  });
});
