import { computeAmountMinor, currencyExponent, fromMinor, toMinor } from '../../domain/money';

describe('currencyExponent', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KWD', 3],
  ])('%s has %i minor digits', (currency, digits) => {
    expect(currencyExponent(currency)).toBe(digits);
  });

  it.each(['US', 'USDX', 'U1D', '', 'usd', ' USD'])('refuses %j with an error naming it', (code) => {
    expect(() => currencyExponent(code)).toThrow(`invalid currency code ${JSON.stringify(code)}`);
  });
});

describe('toMinor', () => {
  it.each([
    ['12.50', 'USD', 1250],
    ['12.5', 'USD', 1250],
    ['12', 'USD', 1200],
    ['0', 'USD', 0],
    ['0.01', 'USD', 1],
    ['1000', 'JPY', 1000],
    ['1.234', 'KWD', 1234],
  ])('%s %s → %i', (amount, currency, minor) => {
    expect(toMinor(amount, currency)).toBe(minor);
  });

  it.each([
    ['10.005', 'USD', 1001], // half-up, not banker's (1000) and not truncation (1000)
    ['10.025', 'USD', 1003], // half-even would give 1002
    ['10.0049', 'USD', 1000],
    ['0.005', 'USD', 1],
    ['0.0049999999999999999', 'USD', 0], // a float would round this to 0.005 and then up
    ['1.005', 'USD', 101], // 1.005 is 1.00499999… as a double; decimal math must still say 101
    ['100.5', 'JPY', 101],
    ['100.49', 'JPY', 100],
    ['1.2345', 'KWD', 1235],
  ])('rounds %s %s half-up to %i', (amount, currency, minor) => {
    expect(toMinor(amount, currency)).toBe(minor);
  });

  it('refuses negative amounts as negative', () => {
    expect(() => toMinor('-1.00', 'USD')).toThrow('must not be negative');
  });

  it.each(['', 'abc', '1e3', '1,50', ' 1', '+1', '1.', '.5', 'NaN', 'Infinity', '0x10'])('refuses non-decimal %j', (amount) => {
    expect(() => toMinor(amount, 'USD')).toThrow('not a decimal number');
  });

  it('refuses amounts beyond the safe integer range instead of losing cents', () => {
    expect(() => toMinor('90071992547409.93', 'USD')).toThrow('too large');
    expect(toMinor('90071992547409.91', 'USD')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses an invalid currency', () => {
    expect(() => toMinor('1', 'XX')).toThrow('invalid currency code');
  });
});

describe('fromMinor', () => {
  it.each([
    [1250, 'USD', '12.50'],
    [1, 'USD', '0.01'],
    [0, 'USD', '0.00'],
    [1000, 'JPY', '1000'],
    [0, 'JPY', '0'],
    [1234, 'KWD', '1.234'],
    [-1250, 'USD', '-12.50'],
    [-1, 'USD', '-0.01'],
    [-5, 'JPY', '-5'],
    [-0, 'USD', '0.00'],
    [Number.MAX_SAFE_INTEGER, 'USD', '90071992547409.91'],
  ])('%i %s → %s', (minor, currency, text) => {
    expect(fromMinor(minor, currency)).toBe(text);
  });

  it('round-trips with toMinor', () => {
    for (const text of ['0.00', '0.99', '12.50', '999999.99']) expect(fromMinor(toMinor(text, 'USD'), 'USD')).toBe(text);
  });

  it.each([1.5, NaN, Infinity, 2 ** 53])('refuses %p, which is not a safe integer', (minor) => {
    expect(() => fromMinor(minor, 'USD')).toThrow('safe integer');
  });
});

describe('computeAmountMinor', () => {
  it('takes a fixed amount as is, ignoring the sale amount', () => {
    expect(computeAmountMinor({ type: 'fixed', amount: '5.25' }, '1000.00', 'USD')).toEqual({ minor: 525 });
    expect(computeAmountMinor({ type: 'fixed', amount: '5.25' }, undefined, 'USD')).toEqual({ minor: 525 });
    expect(computeAmountMinor({ type: 'fixed', amount: '500' }, undefined, 'JPY')).toEqual({ minor: 500 });
  });

  it.each([
    ['10', '200.00', 'USD', 2000],
    ['12.5', '80.00', 'USD', 1000],
    ['7.5', '19.99', 'USD', 150], // 1.49925 → 1.50
    ['10', '0.05', 'USD', 1], // 0.005 → 0.01, half-up
    ['10', '0.04', 'USD', 0], // 0.004 → 0.00
    ['33.333333', '3.00', 'USD', 100], // 0.99999999 → 1.00
    ['0.1', '0.1', 'USD', 0],
    ['150', '10', 'USD', 1500], // revenue share above 100 % is allowed
    ['5', '1990', 'JPY', 100], // 99.5 → 100
    ['5', '1989', 'JPY', 99], // 99.45 → 99
    ['0', '100', 'USD', 0],
  ])('%s%% of %s %s is %i minor units', (percent, sale, currency, minor) => {
    expect(computeAmountMinor({ type: 'percent', amount: percent }, sale, currency)).toEqual({ minor });
  });

  it('asks for the sale amount when a percent rule has none', () => {
    expect(computeAmountMinor({ type: 'percent', amount: '10' }, undefined, 'USD')).toEqual({
      error: 'amount_required',
    });
  });

  it('refuses a malformed or negative sale amount or percent', () => {
    expect(() => computeAmountMinor({ type: 'percent', amount: '10' }, '-5', 'USD')).toThrow('sale amount must not be negative');
    expect(() => computeAmountMinor({ type: 'percent', amount: '10' }, 'ten', 'USD')).toThrow('sale amount is not a decimal number');
    expect(() => computeAmountMinor({ type: 'percent', amount: '10%' }, '5', 'USD')).toThrow('percent is not a decimal number');
  });
});
