import type { Schemas } from '../../api/client';

export type Capability = Schemas['ApiKey']['capabilities'][number];
export type PartnerKind = 'advertiser' | 'affiliate';

/**
 * What each capability lets a partner do beyond reading its own data, in the words an admin
 * decides by. Only those a partner's realm uses are offered for it: an advertiser has no
 * endpoints, an affiliate no conversions to review.
 */
export const capabilityInfo: Record<Capability, { label: string; help: string; for: readonly PartnerKind[] }> = {
  review_conversions: {
    label: 'Approve or decline pending conversions',
    help: 'only on offers that let the advertiser review',
    for: ['advertiser'],
  },
  rotate_token: { label: 'Rotate its postback token', help: 'the old token keeps working for the overlap it picks', for: ['advertiser'] },
  manage_endpoints: { label: 'Manage postback endpoints', help: 'create, edit, pause and delete its own', for: ['affiliate'] },
  rotate_secrets: { label: 'Rotate endpoint signing secrets', help: 'both secrets sign during the overlap', for: ['affiliate'] },
  redeliver: { label: 'Redeliver postbacks', help: 'one or in bulk, its own deliveries only', for: ['affiliate'] },
  test_postbacks: { label: 'Fire test postbacks', help: 'flagged test: no report, cap or ledger moves', for: ['advertiser', 'affiliate'] },
  manage_keys: {
    label: 'Manage its own API keys',
    help: 'never broader than the key or session it uses',
    for: ['advertiser', 'affiliate'],
  },
};

export const capabilitiesFor = (kind: PartnerKind): Capability[] =>
  (Object.keys(capabilityInfo) as Capability[]).filter((c) => capabilityInfo[c].for.includes(kind));
