import { deliveryErrorClass } from '../../domain/delivery-error-class';

describe('deliveryErrorClass', () => {
  it.each([
    [{ outcome: 'permanent', status_code: 302 }, 'http_3xx'],
    [{ outcome: 'permanent', status_code: 400 }, 'http_4xx'],
    [{ outcome: 'gone', status_code: 410 }, 'http_4xx'],
    [{ outcome: 'retry', status_code: 429 }, 'http_4xx'],
    [{ outcome: 'retry', status_code: 503 }, 'http_5xx'],
    [{ outcome: 'retry', status_code: 101 }, 'http_other'],
    [{ outcome: 'retry', error: 'timed out after 10000 ms' }, 'timeout'],
    [{ outcome: 'retry', error: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9' }, 'connection'],
    [{ outcome: 'retry', error: 'ENOTFOUND: getaddrinfo ENOTFOUND tracker.example' }, 'connection'],
    [{ outcome: 'permanent', error: 'EADDRNOTALLOWED: 10.0.0.1 is a private address' }, 'ssrf_refused'],
    [{ outcome: 'permanent', error: 'cannot sign: bad secret' }, 'signing'],
    [{ outcome: 'inactive', error: 'endpoint inactive' }, 'endpoint_inactive'],
    [{ outcome: 'retry' }, 'unknown'],
    [undefined, 'unknown'],
  ])('%j is %s', (attempt, expected) => {
    expect(deliveryErrorClass(attempt)).toBe(expected);
  });
});
