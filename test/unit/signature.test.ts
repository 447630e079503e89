import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { generateSigningSecret, signStandardWebhook } from '../../activities/http/signature';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const headers = (id: string, ts: number, sig: string) => ({
  'webhook-id': id,
  'webhook-timestamp': String(ts),
  'webhook-signature': sig,
});

describe('signStandardWebhook', () => {
  const secret = generateSigningSecret();
  const msgId = 'evt_0123456789abcdef';
  const body = JSON.stringify({
    event_id: msgId,
    status: 'approved',
    payout: '12.50',
    sub1: 'é 😀 "quoted" \\ </script>\n',
  });

  it('is accepted by the Standard Webhooks reference verifier', () => {
    const ts = nowSeconds();
    const sig = signStandardWebhook({ secret, msgId, timestamp: ts, body });
    expect(sig).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers(msgId, ts, sig))).toEqual(JSON.parse(body));
  });

  it('is accepted for an empty body (GET postbacks sign "")', () => {
    const ts = nowSeconds();
    const sig = signStandardWebhook({ secret, msgId, timestamp: ts, body: '' });
    expect(() => new Webhook(secret).verify('', headers(msgId, ts, sig))).not.toThrow();
  });

  it('equals what the library itself signs', () => {
    const ts = nowSeconds();
    expect(signStandardWebhook({ secret, msgId, timestamp: ts, body })).toBe(new Webhook(secret).sign(msgId, new Date(ts * 1000), body));
  });

  it.each([
    ['the body', (ts: number, sig: string) => [body.replace('12.50', '99.50'), headers(msgId, ts, sig)] as const],
    ['the id', (ts: number, sig: string) => [body, headers('evt_other', ts, sig)] as const],
    ['the timestamp', (ts: number, sig: string) => [body, headers(msgId, ts - 1, sig)] as const],
  ])('is refused when %s is tampered with', (_what, tamper) => {
    const ts = nowSeconds();
    const sig = signStandardWebhook({ secret, msgId, timestamp: ts, body });
    const [payload, hdrs] = tamper(ts, sig);
    expect(() => new Webhook(secret).verify(payload, hdrs)).toThrow('No matching signature found');
  });

  it('is refused under another secret', () => {
    const ts = nowSeconds();
    const sig = signStandardWebhook({ secret, msgId, timestamp: ts, body });
    expect(() => new Webhook(generateSigningSecret()).verify(body, headers(msgId, ts, sig))).toThrow('No matching signature found');
  });

  it('matches a hand-computed HMAC keyed with the base64-decoded secret, not its text', () => {
    const key = Buffer.from('postflow-test-key-32-bytes-long!');
    const whsec = `whsec_${key.toString('base64')}`;
    const expected = createHmac('sha256', key).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(signStandardWebhook({ secret: whsec, msgId: 'msg_1', timestamp: 1700000000, body: '{"a":1}' })).toBe(`v1,${expected}`);
  });

  it("uses the UTF-8 bytes of a secret without the whsec_ prefix (the library's raw format, for ASCII)", () => {
    const raw = 'shared-secret-from-the-tracker';
    const ts = nowSeconds();
    const sig = signStandardWebhook({ secret: raw, msgId, timestamp: ts, body });
    expect(() => new Webhook(raw, { format: 'raw' }).verify(body, headers(msgId, ts, sig))).not.toThrow();
    expect(sig).toBe(`v1,${createHmac('sha256', Buffer.from(raw, 'utf8')).update(`${msgId}.${ts}.${body}`).digest('base64')}`);
  });

  it.each(['whsec_', 'whsec_abc', 'whsec_YWI', 'whsec_-_8=', 'whsec_YW Jj', ''])('refuses the malformed secret %j', (bad) => {
    expect(() => signStandardWebhook({ secret: bad, msgId, timestamp: nowSeconds(), body })).toThrow(/secret/);
  });

  it.each([1.5, -1, NaN])('refuses the timestamp %p', (ts) => {
    expect(() => signStandardWebhook({ secret, msgId, timestamp: ts, body })).toThrow('whole Unix seconds');
  });
});

describe('generateSigningSecret', () => {
  it('is whsec_ + base64 of 32 random bytes, accepted by the library, and fresh each time', () => {
    const a = generateSigningSecret();
    const b = generateSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(() => new Webhook(a)).not.toThrow();
    expect(a).not.toBe(b);
  });
});
