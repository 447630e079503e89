import type { Context } from 'koa';
import { matchToken } from '../../api/advertiser-token';
import { sha256 } from '../../api/auth';
import { presentedToken, recordedParams } from '../../api/ingress-log/params';

/** Just what the reader touches of a Koa context. */
const ctx = (query: Record<string, unknown>, body?: unknown, headers: Record<string, string> = {}) =>
  ({ query, request: { body }, get: (name: string) => headers[name.toLowerCase()] ?? '' }) as unknown as Context;

const values = (params: { name: string; value: unknown }[]) => Object.fromEntries(params.map((p) => [p.name, p.value]));

describe('recordedParams: what the ingress log keeps of a call', () => {
  it('keeps the parameters as sent, names and order included, query then body', () => {
    const params = recordedParams(ctx({ clickid: 'clk_1', goal: 'sale' }, { txid: 'T-1', amount: '12.50', status: 'approved' }));
    expect(params).toEqual([
      { name: 'clickid', value: 'clk_1' },
      { name: 'goal', value: 'sale' },
      { name: 'txid', value: 'T-1' },
      { name: 'amount', value: '12.50' },
      { name: 'status', value: 'approved' },
    ]);
  });

  it('masks the token under every name and in the header, and any secret-looking parameter', () => {
    const token = 'pt_abcdefghijklmnopqrstuvwxyz012345';
    const params = recordedParams(
      ctx({ click_id: 'clk_1', token, secure: token, api_key: 'k1', sig: 'abc' }, { password: 'p' }, { 'x-postback-token': token }),
    );
    expect(values(params)).toEqual({
      click_id: 'clk_1',
      token: '***',
      secure: '***',
      api_key: '***',
      sig: '***',
      password: '***',
      'x-postback-token': '***',
    });
    expect(JSON.stringify(params)).not.toContain(token.slice(3));
  });

  it('masks the presented token wherever it was put, and a postback token inside any value', () => {
    const params = recordedParams(ctx({ click_id: 'clk_1', verification_token: 'short-secret', note: 'short-secret' }));
    expect(values(params)).toMatchObject({ verification_token: '***', note: '***' });
    const inside = recordedParams(ctx({ url: 'https://x.example/?t=pt_abcdefghijklmnopqrstuvwxyz0123' }));
    expect(JSON.stringify(inside)).not.toContain('abcdefghijklmnopqrstuvwxyz0123');
  });

  it('is bounded: 30 parameters, 200 characters a value, five values of a repeated one; JSON values as text', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`p${i}`, 'x'.repeat(1000)]));
    const params = recordedParams(ctx(many));
    expect(params).toHaveLength(30);
    expect((params[0]!.value as string).length).toBeLessThanOrEqual(201);
    expect(recordedParams(ctx({ txid: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }))[0]!.value).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(values(recordedParams(ctx({}, { amount: 12.5, extra: { a: 1 } })))).toEqual({ amount: '12.5', extra: '{"a":1}' });
  });

  it('ignores a body that is not an object (the route refuses it; the log still records the query)', () => {
    expect(recordedParams(ctx({ click_id: 'clk_1' }, ['x']))).toEqual([{ name: 'click_id', value: 'clk_1' }]);
  });
});

describe('presentedToken', () => {
  it('reads the token as the postback route does: token=, then the header, then an alias', () => {
    expect(presentedToken(ctx({ token: 'a', secure: 'b' }, undefined, { 'x-postback-token': 'c' }))).toBe('a');
    expect(presentedToken(ctx({ secure: 'b' }, undefined, { 'x-postback-token': 'c' }))).toBe('c');
    expect(presentedToken(ctx({ secure: 'b' }))).toBe('b');
    expect(presentedToken(ctx({ token: '' }))).toBeUndefined();
  });
});

describe('matchToken: a rotated token works until its overlap ends', () => {
  const at = new Date('2026-12-01T12:00:00Z');
  const advertiser = {
    postback_token_hash: sha256('new'),
    previous_token_hash: sha256('old'),
    rotation_overlap_ends_at: new Date(at.getTime() + 3600_000),
  };
  it('tells current, previous within the overlap, previous after it, and anything else apart', () => {
    expect(matchToken(advertiser, 'new', at)).toBe('current');
    expect(matchToken(advertiser, 'old', at)).toBe('previous');
    expect(matchToken(advertiser, 'old', new Date(at.getTime() + 3600_000))).toBe('expired');
    expect(matchToken(advertiser, 'other', at)).toBe('wrong');
    expect(matchToken({ postback_token_hash: sha256('new') }, 'old', at)).toBe('wrong');
  });
});
