import { BODY_EXCERPT_BYTES, bodyToRecord, headersToRecord } from '../../activities/http/request-record';

describe("what an attempt row keeps of the request (the affiliate's delivery log)", () => {
  it('keeps every header, masks secret-named ones, and keeps one v1,*** per signature sent', () => {
    expect(
      headersToRecord({
        'user-agent': 'postflow',
        'webhook-id': 'evt_1',
        'webhook-timestamp': '1767225600',
        'webhook-signature': 'v1,AbC+/= v1,ZZZ=',
        authorization: 'Bearer abc',
        'x-api-key': 'k',
      }),
    ).toEqual({
      'user-agent': 'postflow',
      'webhook-id': 'evt_1',
      'webhook-timestamp': '1767225600',
      'webhook-signature': 'v1,*** v1,***',
      authorization: '***',
      'x-api-key': '***',
    });
  });

  it('keeps a body as sent unless a JSON field is secret-named, and at most 1 KiB of it', () => {
    expect(bodyToRecord('{"id":"evt_1","payout":"5.00"}')).toBe('{"id":"evt_1","payout":"5.00"}');
    expect(bodyToRecord('{"id":"evt_1","api_key":"k-123","nested":{"password":"p"}}')).toBe(
      '{"id":"evt_1","api_key":"***","nested":{"password":"***"}}',
    );
    expect(bodyToRecord('not json')).toBe('not json');
    expect(Buffer.byteLength(bodyToRecord(`{"x":"${'é'.repeat(2000)}"}`))).toBeLessThanOrEqual(BODY_EXCERPT_BYTES);
  });
});
