import { renderOfferUrl, unknownMacros } from '../../domain/click-url';

const ids = { click_id: 'clk1', offer_id: 'of1', aff_id: 'af1' };

describe('renderOfferUrl', () => {
  it('fills every known macro', () => {
    const template = 'https://adv.example/t?c={click_id}&o={offer_id}&a={aff_id}&s1={sub1}&s2={sub2}&s3={sub3}&s4={sub4}&s5={sub5}';
    const values = { ...ids, sub1: 'a', sub2: 'b', sub3: 'c', sub4: 'd', sub5: 'e' };
    expect(renderOfferUrl(template, values)).toBe('https://adv.example/t?c=clk1&o=of1&a=af1&s1=a&s2=b&s3=c&s4=d&s5=e');
  });

  it('renders a missing sub as empty and keeps an empty one empty', () => {
    expect(renderOfferUrl('https://a.example/?s1={sub1}&s2={sub2}', { ...ids, sub2: '' })).toBe('https://a.example/?s1=&s2=');
  });

  it('URL-encodes values so they cannot add parameters or change the path', () => {
    const url = renderOfferUrl('https://a.example/{sub1}?c={click_id}', {
      ...ids,
      click_id: 'x&admin=1#frag',
      sub1: '../é ?/',
    });
    expect(url).toBe('https://a.example/..%2F%C3%A9%20%3F%2F?c=x%26admin%3D1%23frag');
    expect(new URL(url).searchParams.get('c')).toBe('x&admin=1#frag');
  });

  it('fills a macro each time it appears', () => {
    expect(renderOfferUrl('{click_id}-{click_id}', ids)).toBe('clk1-clk1');
  });

  it('does not expand a macro that arrives inside a value', () => {
    expect(renderOfferUrl('?s1={sub1}&s2={sub2}', { ...ids, sub1: '{sub2}', sub2: 'x' })).toBe('?s1=%7Bsub2%7D&s2=x');
  });

  it('leaves unknown macros and stray braces as written', () => {
    expect(renderOfferUrl('?x={foo}&c={click_id}&y={CLICK_ID}&z={}&w={', ids)).toBe('?x={foo}&c=clk1&y={CLICK_ID}&z={}&w={');
  });

  it('does not throw on a value with a lone surrogate', () => {
    expect(renderOfferUrl('?s={sub1}', { ...ids, sub1: 'a\uD800b' })).toBe('?s=a%EF%BF%BDb');
    expect(renderOfferUrl('?s={sub1}', { ...ids, sub1: '😀' })).toBe('?s=%F0%9F%98%80');
  });

  it('leaves a template without macros unchanged', () => {
    expect(renderOfferUrl('https://a.example/landing', ids)).toBe('https://a.example/landing');
  });
});

describe('unknownMacros', () => {
  it('is empty when only known macros are used', () => {
    expect(unknownMacros('https://a.example/?c={click_id}&o={offer_id}&a={aff_id}&s={sub1}{sub2}{sub3}{sub4}{sub5}')).toEqual([]);
    expect(unknownMacros('https://a.example/')).toEqual([]);
  });

  it('lists each unknown macro once, with braces, in order of appearance', () => {
    expect(unknownMacros('?a={transaction_id}&b={click_id}&c={sub6}&d={transaction_id}')).toEqual(['{transaction_id}', '{sub6}']);
  });

  it('treats macro names as case-sensitive and reports typos with spaces', () => {
    expect(unknownMacros('?c={CLICK_ID}&d={click id}')).toEqual(['{CLICK_ID}', '{click id}']);
  });

  it('ignores empty braces', () => {
    expect(unknownMacros('?z={}')).toEqual([]);
  });
});
