import {
  authorityHasMacro,
  postbackMacros,
  renderPostbackBody,
  renderPostbackUrl,
  unknownPostbackMacros,
  type MacroValues,
} from '../../domain/postback-macros';

const values: MacroValues = {
  event_id: 'evt_1',
  conversion_id: 'cv_1',
  click_id: 'clk1',
  offer_id: 'of1',
  aff_id: 'af1',
  goal: 'sale',
  status: 'approved',
  payout: '12.50',
  currency: 'USD',
  txid: 'order-77',
  sub1: 'a',
  sub2: 'b',
  sub3: 'c',
  sub4: 'd',
  sub5: 'e',
  timestamp: '1700000000',
  is_test: '0',
};

const hostile = [
  'quote " inside',
  'back\\slash and \\"escaped quote',
  'new\nline\r\ttab',
  '</script><script>alert(1)</script>',
  'unicode é 😀 \u2028\u2029 \u0000 \u001f',
  'lone \uD800 surrogate',
  '{sub2}',
  '"},"admin":true,"x":{"',
];

describe('renderPostbackUrl', () => {
  it('fills every known macro', () => {
    const template = `https://t.example/pb?${postbackMacros.map((m) => `${m}={${m}}`).join('&')}`;
    const url = new URL(renderPostbackUrl(template, values));
    for (const macro of postbackMacros) expect(url.searchParams.get(macro)).toBe(values[macro]);
  });

  it('renders a missing value as empty', () => {
    expect(renderPostbackUrl('https://t.example/?c={click_id}&s={sub3}', { click_id: 'x' })).toBe('https://t.example/?c=x&s=');
  });

  it('URL-encodes values so they cannot add parameters or change the path', () => {
    const url = renderPostbackUrl('https://t.example/{sub1}?c={click_id}', {
      click_id: 'x&status=approved#f',
      sub1: '../é ?/',
    });
    expect(url).toBe('https://t.example/..%2F%C3%A9%20%3F%2F?c=x%26status%3Dapproved%23f');
    expect(new URL(url).searchParams.get('c')).toBe('x&status=approved#f');
  });

  it.each(hostile)('round-trips the hostile value %j through the query string', (value) => {
    const url = renderPostbackUrl('https://t.example/?s={sub1}', { sub1: value });
    expect(new URL(url).searchParams.get('s')).toBe(value.replace(/\uD800/, '\uFFFD'));
  });

  it('does not expand a macro that arrives inside a value, and fills repeats', () => {
    expect(renderPostbackUrl('?a={sub1}&b={sub2}&c={sub1}', { sub1: '{sub2}', sub2: 'x' })).toBe('?a=%7Bsub2%7D&b=x&c=%7Bsub2%7D');
  });

  it('leaves unknown macros and stray braces as written', () => {
    expect(renderPostbackUrl('?x={foo}&c={click_id}&y={CLICK_ID}&z={}&w={', values)).toBe('?x={foo}&c=clk1&y={CLICK_ID}&z={}&w={');
  });
});

describe('renderPostbackBody', () => {
  const template = JSON.stringify(Object.fromEntries(postbackMacros.map((m) => [m, `{${m}}`])));

  it('fills every known macro and stays valid JSON', () => {
    expect(JSON.parse(renderPostbackBody(template, values))).toEqual(values);
  });

  it.each(hostile)('keeps the JSON valid and the value intact for %j', (value) => {
    const body = renderPostbackBody('{"id":"{event_id}","s":"{sub1}","nested":{"list":["{sub1}",1]}}', {
      event_id: 'evt_1',
      sub1: value,
    });
    const parsed = JSON.parse(body) as { id: string; s: string; nested: { list: unknown[] }; admin?: unknown };
    // A lone surrogate is escaped as \ud800, which JSON.parse turns back into the same code unit.
    expect(parsed).toEqual({ id: 'evt_1', s: value, nested: { list: [value, 1] } });
    expect(parsed.admin).toBeUndefined();
  });

  it('does not put raw control characters or quotes into the body', () => {
    const body = renderPostbackBody('{"s":"{sub1}"}', { sub1: 'a"b\\c\nd' });
    expect(body).toBe('{"s":"a\\"b\\\\c\\nd"}');
  });

  it('renders a missing value as an empty string and leaves unknown macros', () => {
    expect(renderPostbackBody('{"s":"{sub1}","f":"{foo}"}', {})).toBe('{"s":"","f":"{foo}"}');
  });

  it('does not expand a macro that arrives inside a value', () => {
    expect(JSON.parse(renderPostbackBody('{"a":"{sub1}","b":"{sub2}"}', { sub1: '{sub2}', sub2: 'x' }))).toEqual({
      a: '{sub2}',
      b: 'x',
    });
  });

  it('fills a macro written as a bare JSON value (the template decides)', () => {
    expect(JSON.parse(renderPostbackBody('{"payout":{payout}}', { payout: '12.50' }))).toEqual({ payout: 12.5 });
  });
});

describe('unknownPostbackMacros', () => {
  it('is empty when only known macros are used', () => {
    expect(unknownPostbackMacros(postbackMacros.map((m) => `{${m}}`).join('&'))).toEqual([]);
    expect(unknownPostbackMacros('https://t.example/')).toEqual([]);
  });

  it('lists each unknown macro once, with braces, in order of appearance', () => {
    expect(unknownPostbackMacros('?a={transaction_id}&b={click_id}&c={sub6}&d={transaction_id}&e={date}')).toEqual([
      '{transaction_id}',
      '{sub6}',
      '{date}',
    ]);
  });

  it('treats names as case-sensitive and reports typos with spaces', () => {
    expect(unknownPostbackMacros('?c={CLICK_ID}&d={click id}')).toEqual(['{CLICK_ID}', '{click id}']);
  });

  it('ignores empty braces and whitespace-only braces', () => {
    expect(unknownPostbackMacros('?z={}&y={ }')).toEqual([]);
  });

  it('does not mistake nested JSON objects of a body template for macros', () => {
    expect(unknownPostbackMacros('{"id":"{event_id}","meta":{"source":"postflow","n":1},"empty":{},"arr":[{"k":"v"}]}')).toEqual([]);
    expect(unknownPostbackMacros('{"id":"{event_id}","x":"{payout_usd}","meta":{"k":1}}')).toEqual(['{payout_usd}']);
  });
});

describe('authorityHasMacro', () => {
  it.each([
    'https://{sub1}.evil.example/pb',
    'https://t.example.{sub1}/pb',
    'https://t.example:{sub1}/pb',
    'https://{sub1}@t.example/pb',
    'https://{sub1}',
    'https://t{foo}.example/',
    '{sub1}://t.example/',
    'http{sub1}://t.example/',
    '{sub1}',
    '//{sub1}/pb',
  ])('is true for %s', (url) => {
    expect(authorityHasMacro(url)).toBe(true);
  });

  it.each([
    'https://t.example/pb?c={click_id}&s={sub1}',
    'https://t.example/{sub1}/pb',
    'https://t.example#{sub1}',
    'https://t.example?{sub1}',
    'http://t.example:8080/{click_id}',
    'HTTPS://T.EXAMPLE/?c={click_id}',
    'https://t.example/',
  ])('is false for %s', (url) => {
    expect(authorityHasMacro(url)).toBe(false);
  });
});
