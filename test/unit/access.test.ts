import { z } from 'zod';
import { staffOnly } from '../../api/access/authorize';
import { broaderThan, parsePrincipalName, principalFrom } from '../../api/access/principal';
import { projectFor } from '../../api/access/projection';
import { mountRoutes, route } from '../../api/route';
import type { Models } from '../../models';

const models = {} as Models;
const spec = { method: 'get', path: '/api/things', tag: 'T', summary: 's', access: 'admin', responses: {} } as const;

describe('route realms (api/access/authorize.ts)', () => {
  it('an /api route that does not declare its realms stops the app from starting', () => {
    expect(() => mountRoutes([route(spec, () => {})], { models })).toThrow(/must declare its realms/);
    expect(() => mountRoutes([route({ ...spec, realms: staffOnly }, () => {})], { models })).not.toThrow();
  });

  it('a partner scope that cannot hold is refused: by id without {id}, by a filter the query lacks', () => {
    expect(() => mountRoutes([route({ ...spec, realms: { ops: true, affiliate: { self: 'affiliate' } } }, () => {})], { models })).toThrow(
      /needs \{id\}/,
    );
    const query = z.object({ offer_id: z.string().optional() });
    expect(() =>
      mountRoutes([route({ ...spec, query, realms: { ops: true, affiliate: { filter: 'affiliate_id' } } }, () => {})], { models }),
    ).toThrow(/lacks/);
  });
});

describe('principals', () => {
  it('parse only the four realms', () => {
    expect(parsePrincipalName('affiliate:aff_1')).toEqual({ realm: 'affiliate', party_id: 'aff_1' });
    expect(parsePrincipalName('ops')).toEqual({ realm: 'ops' });
    for (const bad of ['root', 'affiliate:', 'affiliate', 'ops:x', 'advertiser:a b', 'admin '])
      expect({ bad, parsed: parsePrincipalName(bad) }).toEqual({ bad, parsed: undefined });
  });

  it('a key is broader when it names another party, writes for a read-only holder, adds a capability or outlives the holder', () => {
    const holder = principalFrom({ principal: 'affiliate:a', read_only: false, capabilities: ['redeliver'] }, 'api_key', {
      expires_at: new Date(1000),
    })!;
    const same = { principal: 'affiliate:a', read_only: false, capabilities: ['redeliver'] as const, expires_at: new Date(1000) };
    expect(broaderThan(same, holder)).toBeUndefined();
    expect(broaderThan({ ...same, principal: 'affiliate:b' }, holder)?.path).toBe('principal');
    expect(broaderThan({ ...same, capabilities: ['redeliver', 'manage_keys'] }, holder)?.path).toBe('capabilities');
    expect(broaderThan({ ...same, expires_at: new Date(1001) }, holder)?.path).toBe('expires_in_days');
    expect(broaderThan(same, { ...holder, read_only: true })?.path).toBe('read_only');
  });
});

describe('partner projections (api/access/projection.ts)', () => {
  const body = {
    data: [{ id: 'cv_1', payout: { amount: '5.00' }, revenue: { amount: '8.00' }, advertiser_id: 'adv_1', nested: [{ margin: '3' }] }],
    totals: { payout: '5.00', revenue: '8.00', epc: '0.5' },
  };
  it('an affiliate never sees revenue, margin or the advertiser; an advertiser never sees payouts or EPC; staff see all', () => {
    const affiliate = principalFrom({ principal: 'affiliate:a' }, 'api_key')!;
    const advertiser = principalFrom({ principal: 'advertiser:b' }, 'api_key')!;
    const ops = principalFrom({ principal: 'ops' }, 'api_key')!;
    expect(projectFor(affiliate, body)).toEqual({
      data: [{ id: 'cv_1', payout: { amount: '5.00' }, nested: [{}] }],
      totals: { payout: '5.00', epc: '0.5' },
    });
    expect(projectFor(advertiser, body)).toEqual({
      data: [{ id: 'cv_1', revenue: { amount: '8.00' }, advertiser_id: 'adv_1', nested: [{}] }],
      totals: { revenue: '8.00' },
    });
    expect(projectFor(ops, body)).toBe(body);
  });
});
