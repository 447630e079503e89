import { mmpTemplates } from '../../domain/mmp/templates';
import { identityFields, macroValue, readEventTime, readKind, type MmpEvent } from '../../domain/mmp/vendors';

describe('macroValue: what a vendor leaves unfilled is no value', () => {
  it.each([[''], ['  '], ['{event_revenue}'], ['${(id)!}'], ['(idfa)'], [undefined], [['a', 'b']]])('%p → undefined', (raw) => {
    expect(macroValue(raw)).toBeUndefined();
  });
  it('keeps real values, trimmed', () => {
    expect(macroValue(' 4.99 ')).toBe('4.99');
    expect(macroValue('{"a":1}')).toBe('{"a":1}'); // JSON is not a macro
  });
});

describe('readKind', () => {
  it("Adjust's activity kinds, with spaces or underscores", () => {
    expect(readKind('adjust', { kind: 'rejected install' })).toEqual({ ok: true, kind: 'rejected_install' });
    expect(readKind('adjust', { kind: 'reattribution_reinstall' })).toEqual({ ok: true, kind: 'reattribution' });
    expect(readKind('adjust', { kind: 'install_update' })).toEqual({ ok: true, kind: 'updated_attribution' });
    expect(readKind('adjust', { kind: 'session' })).toMatchObject({ ok: false });
  });
  it("AppsFlyer's is_rejected turns an install (or a re-attribution) into its rejection", () => {
    expect(readKind('appsflyer', { kind: 'install', is_rejected: 'true' })).toEqual({ ok: true, kind: 'rejected_install' });
    expect(readKind('appsflyer', { kind: 'reattribution', is_rejected: '1' })).toEqual({ ok: true, kind: 'rejected_reattribution' });
    expect(readKind('appsflyer', { kind: 'install', is_rejected: 'false' })).toEqual({ ok: true, kind: 'install' });
  });
  it("Branch and Kochava name installs as events; Singular's IS_RE_ENG is a re-engagement", () => {
    expect(readKind('branch', { kind: 'event', event: 'INSTALL' })).toEqual({ ok: true, kind: 'install' });
    expect(readKind('branch', { kind: 'event', event: 'PURCHASE' })).toEqual({ ok: true, kind: 'event' });
    expect(readKind('kochava', { kind: 'event', event: '_install' })).toEqual({ ok: true, kind: 'install' });
    expect(readKind('singular', { kind: 'install', is_reengagement: '1' })).toEqual({ ok: true, kind: 'reengagement' });
  });
  it('an unknown or missing kind is refused naming the field', () => {
    expect(readKind('appsflyer', { kind: 'bogus' })).toMatchObject({ ok: false, message: expect.stringMatching(/^kind:/) });
    expect(readKind('appsflyer', {})).toMatchObject({ ok: false, message: expect.stringMatching(/^kind:/) });
  });
});

describe('readEventTime', () => {
  it.each([
    ['1764669600', '2025-12-02T10:00:00.000Z'],
    ['1764669600123', '2025-12-02T10:00:00.123Z'],
    ['2026-12-02 10:00:00.120', '2026-12-02T10:00:00.120Z'],
    ['2026-12-02T10:00:00Z', '2026-12-02T10:00:00.000Z'],
  ])('%s', (raw, iso) => {
    expect(readEventTime(raw)?.toISOString()).toBe(iso);
  });
  it('unreadable: undefined', () => expect(readEventTime('yesterday')).toBeUndefined());
});

describe('identityFields: never the time alone', () => {
  const ev = (e: Partial<MmpEvent>): MmpEvent => ({ vendor: 'appsflyer', kind: 'event', ...e });
  it('an event is the device, the event and its time; an install (and its rejection) the device; Branch its event id', () => {
    expect(identityFields(ev({ deviceId: 'd', event: 'e', eventTime: 't' })).required).toEqual(['device_id', 'event', 'event_time']);
    expect(identityFields(ev({ kind: 'install', deviceId: 'd' }))).toEqual(identityFields(ev({ kind: 'rejected_install', deviceId: 'd' })));
    expect(identityFields(ev({ vendor: 'branch', eventId: '9' })).required).toEqual(['event_id']);
    for (const kind of ['event', 'reattribution', 'install'] as const)
      expect(identityFields(ev({ kind })).required).not.toEqual(['event_time']);
  });
});

describe('mmpTemplates', () => {
  const base = { origin: 'https://t.example', token: 'mmp_tok' };
  it("Adjust: callbacks encoded into the link, postflow's {click_id} left for the click route, one event_callback for the tokens", () => {
    const t = mmpTemplates({ vendor: 'adjust', ...base, linkBase: 'https://app.adjust.com/abc', events: ['t1', 't2'] });
    const link = new URL(t.tracking_link.replace(/\{click_id\}/g, 'clk_1'));
    expect([...link.searchParams.keys()]).toEqual([
      'install_callback',
      'rejected_install_callback',
      'reattribution_callback',
      'event_callback_t1_t2',
    ]);
    expect(link.searchParams.get('install_callback')).toBe(
      'https://t.example/postback/mmp/adjust?token=mmp_tok&click_id=clk_1&kind={activity_kind}&device_id={adid}&event_time={created_at}&reason={rejection_reason}',
    );
    expect(t.tracking_link).not.toMatch(/\{(?!click_id\})/); // no other raw macro for postflow's click route to refuse
  });
  it('every vendor: the postback URLs go to its own path with the token, and the link carries {click_id}', () => {
    for (const vendor of ['appsflyer', 'adjust', 'branch', 'singular', 'kochava'] as const) {
      const t = mmpTemplates({ vendor, ...base, events: ['Purchase'] });
      expect(t.tracking_link).toContain('{click_id}');
      for (const p of t.postbacks) expect(p.url.startsWith(`https://t.example/postback/mmp/${vendor}?token=mmp_tok&`)).toBe(true);
    }
  });
});
