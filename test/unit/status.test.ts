import {
  allowedTransitions,
  checkTransition,
  freesCaps,
  isFinal,
  lifecycleStatuses,
  payableMinor,
  type LifecycleStatus,
} from '../../domain/status';

// The lifecycle written out independently of the implementation, as the spec states it.
const legal = new Set([
  'processing→approved',
  'processing→pending',
  'processing→held',
  'processing→rejected',
  'pending→approved',
  'pending→declined',
  'held→approved',
  'held→declined',
  'approved→reversed',
]);
const finals: LifecycleStatus[] = ['rejected', 'declined', 'reversed'];
const pairs = lifecycleStatuses.flatMap((from) => lifecycleStatuses.map((to) => [from, to] as const));

describe('checkTransition', () => {
  it('covers all seven statuses', () => {
    expect([...lifecycleStatuses].sort()).toEqual(['approved', 'declined', 'held', 'pending', 'processing', 'rejected', 'reversed']);
  });

  it.each(pairs.filter(([from, to]) => legal.has(`${from}→${to}`)))('allows %s → %s', (from, to) => {
    expect(checkTransition(from, to)).toEqual({ ok: true });
  });

  it.each(pairs.filter(([from, to]) => !legal.has(`${from}→${to}`)))('refuses %s → %s with a reason', (from, to) => {
    const result = checkTransition(from, to);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    if (from === to) expect(result.reason).toBe(`the conversion is already ${from}`);
    else if (finals.includes(from)) expect(result.reason).toBe(`cannot change a conversion from ${from} to ${to}: ${from} is final`);
    else {
      const allowed = [...legal].filter((t) => t.startsWith(`${from}→`)).map((t) => t.split('→')[1]);
      expect(result.reason).toBe(`cannot change a conversion from ${from} to ${to}; allowed: ${allowed.join(', ')}`);
    }
  });

  it('explains the example from the spec', () => {
    expect(checkTransition('approved', 'declined')).toEqual({
      ok: false,
      reason: 'cannot change a conversion from approved to declined; allowed: reversed',
    });
  });

  it('publishes the same table it enforces', () => {
    const published = lifecycleStatuses.flatMap((from) => allowedTransitions[from].map((to) => `${from}→${to}`));
    expect(new Set(published)).toEqual(legal);
  });
});

describe('isFinal', () => {
  it.each(lifecycleStatuses.map((s) => [s, finals.includes(s)] as const))('%s → %p', (status, final) => {
    expect(isFinal(status)).toBe(final);
  });
});

describe('payableMinor', () => {
  it.each(lifecycleStatuses.map((s) => [s, s === 'approved' ? 1250 : 0] as const))('%s holds %i of a 1250 payout', (status, expected) => {
    expect(payableMinor(status, 1250)).toBe(expected);
  });

  it('follows the payout, not a constant', () => {
    expect(payableMinor('approved', 7)).toBe(7);
    expect(payableMinor('approved', 0)).toBe(0);
  });

  it('nets to zero over approve then reverse, as the ledger must', () => {
    // Each transition books the difference; approved → reversed must hand back exactly what was booked.
    const path: LifecycleStatus[] = ['processing', 'held', 'approved', 'reversed'];
    const entries = path.slice(1).map((to, i) => payableMinor(to, 999) - payableMinor(path[i]!, 999));
    expect(entries).toEqual([0, 999, -999]);
  });

  it('refuses a payout that is not integer minor units', () => {
    expect(() => payableMinor('approved', 12.5)).toThrow('integer minor units');
  });
});

describe('freesCaps', () => {
  it('gives the cap place back exactly when the conversion ends unpaid: rejected, declined, reversed', () => {
    expect(lifecycleStatuses.filter(freesCaps)).toEqual(finals);
  });
});
