import { z } from 'zod';
import { capabilities, realms } from '../access/principal';
import { at } from './common';

export const signInBody = z
  .object({
    key: z.string().min(1, 'is required').max(512).optional().meta({ description: 'the admin key (ADMIN_API_KEY) or a scoped pf_ key' }),
    link: z
      .string()
      .min(1, 'is required')
      .max(200)
      .optional()
      .meta({ description: 'the token of a single-use portal link (POST /api/portal-links), from the link after #link=' }),
  })
  .strict()
  .refine((b) => (b.key === undefined) !== (b.link === undefined), { message: 'send either key or link', path: ['key'] });

export const sessionInfo = z
  .object({
    principal: z.string().meta({ example: 'affiliate:aff_3f9a', description: 'admin, ops, advertiser:<id> or affiliate:<id>' }),
    realm: z.enum(realms),
    party_id: z.string().optional().meta({ description: "the advertiser's or affiliate's id, for a partner" }),
    read_only: z.boolean(),
    capabilities: z.array(z.enum(capabilities)).meta({ description: 'what the session may do besides reading' }),
    expires_at: at,
    csrf_token: z.string().meta({ description: 'send it as X-CSRF-Token on every state-changing call made with the session cookie' }),
  })
  .meta({ id: 'Session' });
