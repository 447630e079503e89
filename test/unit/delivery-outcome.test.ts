import { classifyResponse, honoursRetryAfter } from '../../domain/delivery-outcome';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('classifyResponse', () => {
  it.each(range(200, 299))('%i is success', (status) => {
    expect(classifyResponse(status)).toBe('success');
  });

  it.each(range(300, 399))('%i is permanent (redirects are not followed; the URL needs fixing)', (status) => {
    expect(classifyResponse(status)).toBe('permanent');
  });

  it('410 is gone', () => {
    expect(classifyResponse(410)).toBe('gone');
  });

  it.each([408, 409, 425, 429])('%i retries', (status) => {
    expect(classifyResponse(status)).toBe('retry');
  });

  it.each(range(400, 499).filter((s) => ![408, 409, 410, 425, 429].includes(s)))('%i is permanent', (status) => {
    expect(classifyResponse(status)).toBe('permanent');
  });

  it.each(range(500, 599))('%i retries', (status) => {
    expect(classifyResponse(status)).toBe('retry');
  });

  it.each([0, 100, 101, 103, 199, 600, 999, -1, 200.5, NaN])('%p (outside the classes) retries', (status) => {
    expect(classifyResponse(status)).toBe('retry');
  });
});

describe('honoursRetryAfter', () => {
  it('is true for 429 and 503 only', () => {
    expect(range(100, 599).filter(honoursRetryAfter)).toEqual([429, 503]);
  });
});
