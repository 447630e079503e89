import { z } from 'zod';
import { capabilities, principalNamePattern } from '../access/principal';
import { at, idParam, nonBlank } from './common';

const principal = z
  .string()
  .regex(new RegExp(principalNamePattern), 'must be admin, ops, advertiser:<id> or affiliate:<id>')
  .meta({ example: 'affiliate:aff_3f9a', description: 'admin, ops, advertiser:<id> or affiliate:<id>' });
const capabilityList = z
  .array(z.enum(capabilities))
  .max(capabilities.length)
  .refine((list) => new Set(list).size === list.length, 'must not repeat a capability')
  .meta({ description: "what a partner may do besides reading (default: every one its realm's routes use); staff hold all" });

export const apiKeyCreateBody = z
  .object({
    name: nonBlank(100).meta({ example: 'reporting script' }),
    principal,
    read_only: z.boolean().default(false),
    capabilities: capabilityList.optional(),
    expires_in_days: z.number().int().min(1).max(365).default(90).meta({ description: 'the key ends after this many days (1–365)' }),
  })
  .strict();

export const apiKeyRotateBody = z
  .object({
    overlap_hours: z
      .number()
      .int()
      .min(0)
      .max(168)
      .default(24)
      .meta({ description: 'how long the old key keeps working beside the new one (0–168, default 24)' }),
  })
  .strict();

export const apiKeyListQuery = z.object({ principal: principal.optional() }).strict();

export const apiKey = z
  .object({
    id: idParam,
    prefix: z.string().meta({ description: 'the first characters of the key: how to tell keys apart', example: 'pf_1a2b3c4d5e6f7a8b' }),
    name: z.string(),
    principal: z.string(),
    read_only: z.boolean(),
    capabilities: z.array(z.enum(capabilities)),
    state: z.enum(['active', 'expired', 'revoked']),
    expires_at: at,
    last_used_at: at.nullable().meta({ description: 'to the minute: a busy key is not written on every request' }),
    revoked_at: at.nullable(),
    created_by: z.string(),
    created_at: at,
    rotated_from: z.string().optional(),
    replaced_by: z.string().optional(),
  })
  .meta({ id: 'ApiKey' });

export const apiKeyCreated = apiKey
  .extend({ key: z.string().meta({ description: 'the key itself: shown this once, never again (only its SHA-256 is kept)' }) })
  .meta({ id: 'ApiKeyCreated' });
export const apiKeyList = z.object({ data: z.array(apiKey) }).meta({ id: 'ApiKeyList' });

export const portalLinkCreateBody = z
  .object({
    principal: z
      .string()
      .regex(/^(advertiser|affiliate):[A-Za-z0-9_-]{1,64}$/, 'must be advertiser:<id> or affiliate:<id>')
      .meta({ example: 'affiliate:aff_3f9a' }),
    read_only: z.boolean().default(false),
    capabilities: capabilityList.optional(),
    expires_in_minutes: z
      .number()
      .int()
      .min(1)
      .max(10_080)
      .default(1_440)
      .meta({ description: 'the link can be opened for this long (default a day)' }),
    session_hours: z
      .number()
      .int()
      .min(1)
      .max(168)
      .optional()
      .meta({ description: 'how long the session it starts lasts (default SESSION_TTL_HOURS)' }),
  })
  .strict();

export const portalLinkCreated = z
  .object({
    id: z.string(),
    principal: z.string(),
    read_only: z.boolean(),
    capabilities: z.array(z.enum(capabilities)),
    url: z.string().meta({
      description: 'send this to the partner: it signs in once, in the console; the token after #link= never reaches a server log',
    }),
    expires_at: at,
  })
  .meta({ id: 'PortalLink' });
