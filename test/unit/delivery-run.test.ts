import { continuation, runEnding } from '../../domain/delivery-run';

describe('runEnding: one rule for the first attempt and the retry workflow', () => {
  it('ends on success, a permanent answer, 410 and an inactive endpoint', () => {
    expect(runEnding({ outcome: 'success', statusCode: 200 }, 1, 10)).toEqual({ status: 'succeeded' });
    expect(runEnding({ outcome: 'permanent', statusCode: 404 }, 1, 10)).toEqual({ status: 'failed', reason: 'the endpoint answered 404' });
    expect(runEnding({ outcome: 'gone', statusCode: 410 }, 1, 10)).toEqual({
      status: 'dead_lettered',
      reason: 'the endpoint answered 410 Gone and was deactivated',
    });
    expect(runEnding({ outcome: 'inactive', error: 'endpoint inactive' }, 1, 10)).toEqual({
      status: 'dead_lettered',
      reason: 'endpoint inactive',
    });
  });

  it('goes on after a retryable failure until the schedule is spent, and never ends on a pause', () => {
    expect(runEnding({ outcome: 'retry', statusCode: 500 }, 1, 10)).toBeUndefined();
    expect(runEnding({ outcome: 'retry', statusCode: 500 }, 10, 10)).toEqual({
      status: 'dead_lettered',
      reason: 'no success after 10 attempts',
    });
    expect(runEnding({ outcome: 'retry' }, 1, 1)).toEqual({ status: 'dead_lettered', reason: 'no success after 1 attempts' });
    expect(runEnding({ outcome: 'paused', waitMs: 60_000 }, 0, 10)).toBeUndefined();
  });
});

describe('continuation: where the retry workflow starts after the first attempt', () => {
  it('after a failed attempt: from attempt 2, keeping what Retry-After asked', () => {
    expect(continuation({ outcome: 'retry', statusCode: 503, retryAfterMs: 7_000 })).toEqual({ attempts: 1, retryAfterMs: 7_000 });
    expect(continuation({ outcome: 'retry', statusCode: 500 })).toEqual({ attempts: 1 });
  });

  it('after a pause: attempt 1 is still to come, after the pause, without spending an attempt', () => {
    expect(continuation({ outcome: 'paused', waitMs: 60_000 })).toEqual({ attempts: 0, pausedMs: 60_000 });
  });

  it('after a pause by hand: the retry workflow looks again at once (a resume before it started must not be missed)', () => {
    expect(continuation({ outcome: 'paused', waitMs: 60_000, manual: true })).toEqual({ attempts: 0 });
  });

  it('when no attempt was made (the schedule waits first): from attempt 1', () => {
    expect(continuation(undefined)).toEqual({ attempts: 0 });
  });
});
