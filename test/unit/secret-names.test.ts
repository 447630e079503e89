import { maskUrl } from '../../activities/http/mask-url';
import * as serialize from '../../api/serialize';
import { maskSecrets } from '../../api/timeline/types';
import { isSecretField, isSecretParam } from '../../domain/secret-names';
import { scrubText, scrubValue } from '../../observability/redact';

/** Every name a secret has travelled under here, or could: each path below must mask all of them. */
const secretFields = [
  'token',
  'postback_token',
  'postback_token_hash',
  'security_token',
  'verification_token',
  'signing_secret',
  'client_secret',
  'password',
  'passwd',
  'Authorization',
  'cookie',
  'Set-Cookie',
  'api_key',
  'apiKey',
  'x-api-key',
  'admin_key',
  'signature',
  'webhook-signature',
  'credentials',
];
/** Query parameters: the field names plus the short ones trackers use, and the postback token alias. */
const secretParams = [...secretFields, 'secure', 'key', 'sig', 'auth', 'hash', 'hmac', 'pass'];
const SECRET = 'S3KR1T-value';
const url = (name: string) => `https://tracker.example/pb?cid=c1&${encodeURIComponent(name)}=${SECRET}&payout=1.00`;

describe('secret names: one list for logs, attempt rows, the timeline and responses', () => {
  it('treats every secret field name as a secret parameter name too', () => {
    for (const name of secretFields) expect([name, isSecretField(name), isSecretParam(name)]).toEqual([name, true, true]);
    for (const name of secretParams) expect([name, isSecretParam(name)]).toEqual([name, true]);
  });

  it.each(['click_id', 'dedupe_key', 'conversion_id', 'amount', 'ip', 'request_url'])('leaves the field %j alone', (name) => {
    expect(isSecretField(name)).toBe(false);
  });

  describe('log redaction', () => {
    it.each(secretFields)('masks a %j field', (name) => {
      const line = JSON.stringify(scrubValue({ ok: 'kept', nested: [{ [name]: SECRET }] }));
      expect(line).not.toContain(SECRET);
      expect(line).toContain('kept');
    });

    it.each(secretParams)('masks ?%s= in a URL', (name) => {
      const line = scrubText(`GET ${url(name)} failed`);
      expect(line).not.toContain(SECRET);
      expect(line).toContain('cid=c1');
    });

    it('masks a percent-encoded name, as URLSearchParams (and so attempt rows) decode it', () => {
      expect(scrubText(`https://tracker.example/pb?cid=c1&api%5Fkey=${SECRET}`)).not.toContain(SECRET);
      expect(maskUrl(`https://tracker.example/pb?cid=c1&api%5Fkey=${SECRET}`)).not.toContain(SECRET);
    });

    it('masks a user name without a password in a URL, as attempt rows do', () => {
      expect(scrubText(`calling https://${SECRET}@tracker.example/pb`)).toBe('calling https://***@tracker.example/pb');
      expect(maskUrl(`https://${SECRET}@tracker.example/pb`)).toBe('https://***@tracker.example/pb');
      expect(scrubText('mail ops@example.com about https://tracker.example/pb?email=a@b.example')).toBe(
        'mail ops@example.com about https://tracker.example/pb?email=a@b.example',
      );
    });
  });

  describe('attempt rows (maskUrl)', () => {
    it.each(secretParams)('masks ?%s= and keeps the rest of the URL', (name) => {
      const masked = maskUrl(url(name));
      expect(masked).not.toContain(SECRET);
      expect(masked).toContain('cid=c1');
      expect(masked).toContain('payout=1.00');
    });
  });

  describe('the timeline (maskSecrets)', () => {
    it.each(secretFields)('masks a %j key at any depth', (name) => {
      const masked = maskSecrets({ clickId: 'c1', change: { reason: 'r', meta: [{ [name]: SECRET }] } });
      expect(JSON.stringify(masked)).not.toContain(SECRET);
      expect(JSON.stringify(masked)).toContain('c1');
    });
  });

  describe('responses (api/serialize.ts)', () => {
    const serializers = Object.entries(serialize).filter(
      (entry): entry is [string, serialize.Serializer] => entry[0].endsWith('ToApi') && typeof entry[1] === 'function',
    );

    it('has a serializer per resource', () => {
      expect(serializers.map(([name]) => name).sort()).toEqual([
        'advertiserToApi',
        'affiliateToApi',
        'clickToApi',
        'conversionDeliveryToApi',
        'conversionDocToApi',
        'deliveryAttemptToApi',
        'deliveryToApi',
        'offerToApi',
        'postbackEndpointToApi',
      ]);
    });

    it.each(serializers)('%s lets out only the fields it names', (_name, toApi) => {
      const doc = {
        _id: 'x_1',
        name: 'shown where named',
        ...Object.fromEntries(secretFields.map((field) => [field, SECRET])),
        not_in_any_response: SECRET,
        updated_at: new Date('2026-01-02T03:04:05Z'),
      };
      const out = toApi(doc);
      expect(JSON.stringify(out)).not.toContain(SECRET);
      expect(out.id).toBe('x_1');
    });

    it('refuses to name a secret field', () => {
      expect(() => serialize.serializer('name', 'signing_secret')).toThrow('signing_secret');
      expect(() => serialize.serializer('postback_token_hash')).toThrow('postback_token_hash');
    });
  });
});
