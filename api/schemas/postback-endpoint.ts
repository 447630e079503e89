import { z } from 'zod';
import { authorityHasMacro, postbackMacros, renderPostbackBody, unknownPostbackMacros } from '../../domain/postback-macros';
import { at, idParam, timestamps, urlTemplatePattern } from './common';

export const deliveryEvents = ['approved', 'pending', 'held', 'declined', 'reversed', 'rejected'] as const;

const key = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/i, 'must be a goal key')
  // Docs only: the generator would print the /i flag into the pattern; this is the same set spelt out.
  .meta({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' });

const urlTemplate = z
  .string()
  .trim()
  .max(2000)
  .superRefine((url, ctx) => {
    if (!/^https?:\/\//i.test(url)) ctx.addIssue({ code: 'custom', message: 'must be an http or https URL' });
    else if (authorityHasMacro(url)) ctx.addIssue({ code: 'custom', message: 'macros are not allowed in the scheme or host' });
    else {
      try {
        new URL(url.replace(/\{[^}]*\}/g, 'x'));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not a valid URL' });
      }
    }
    const unknown = unknownPostbackMacros(url);
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown macros ${unknown.join(', ')}` });
  })
  .meta({
    description: "the affiliate's tracker; macros in the path, query or fragment are filled in, URL-encoded",
    pattern: urlTemplatePattern(postbackMacros),
    example: 'https://tracker.example/pb?clickid={sub1}&payout={payout}&status={status}&eid={event_id}',
  });

const bodyTemplate = z
  .string()
  .max(10_000)
  .superRefine((body, ctx) => {
    const unknown = unknownPostbackMacros(body);
    if (unknown.length > 0) return ctx.addIssue({ code: 'custom', message: `unknown macros ${unknown.join(', ')}` });
    // Rendered with a value that is valid JSON only inside a string: a macro outside quotes
    // (where a clicker's sub id could inject structure) or a malformed template fails here.
    const probe = Object.fromEntries(postbackMacros.map((m) => [m, 'a"b']));
    try {
      JSON.parse(renderPostbackBody(body, probe));
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a JSON template with every macro inside a string, e.g. {"id":"{event_id}"}',
      });
    }
  });

/** Standard Webhooks secrets: whsec_ + base64 of 24–64 random bytes. */
const signingSecret = z
  .string()
  .refine((secret) => {
    if (!secret.startsWith('whsec_')) return false;
    const encoded = secret.slice('whsec_'.length);
    const bytes = Buffer.from(encoded, 'base64');
    // Canonical base64 only: what the receiver's library decodes must be exactly what we sign with.
    return bytes.length >= 24 && bytes.length <= 64 && bytes.toString('base64') === encoded;
  }, 'must be whsec_ followed by base64 of 24 to 64 random bytes')
  .meta({
    description: 'whsec_ + canonical base64 of 24 to 64 random bytes (Standard Webhooks); never shown again',
    // 8–20 full groups (24–62 bytes) with an optional last group of 1 or 2 bytes, or 21 groups
    // (63 bytes) with at most 1 more; a last group's unused bits are 0, as canonical base64 has them.
    pattern:
      '^whsec_(([A-Za-z0-9+/]{4}){8,20}([A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?' +
      '|([A-Za-z0-9+/]{4}){21}([A-Za-z0-9+/][AQgw]==)?)$',
  });

const fields = {
  url: urlTemplate,
  method: z.enum(['GET', 'POST']),
  events: z.array(z.enum(deliveryEvents)).min(1).max(deliveryEvents.length),
  offer_id: idParam,
  goal: key,
  body: bodyTemplate,
  signing_secret: signingSecret,
  active: z.boolean(),
};

export const endpointCreateSchema = z
  .object({
    url: fields.url,
    method: fields.method.default('GET'),
    events: fields.events.default(['approved']),
    offer_id: fields.offer_id.optional(),
    goal: fields.goal.optional(),
    body: fields.body.optional(),
    signing_secret: fields.signing_secret.optional(),
    active: fields.active.default(true),
  })
  .strict()
  .refine((e) => !e.goal || e.offer_id, { path: ['goal'], message: 'a goal scope needs offer_id too' })
  .refine((e) => !e.body || e.method === 'POST', { path: ['body'], message: 'a body template needs method POST' });

/** PATCH: any subset, no defaults (a default would overwrite the stored value). */
export const endpointUpdateSchema = z
  .object({
    url: fields.url.optional(),
    method: fields.method.optional(),
    events: fields.events.optional(),
    body: fields.body.optional(),
    signing_secret: fields.signing_secret.nullable().optional(),
    active: fields.active.optional(),
  })
  .strict();

export const postbackEndpoint = z
  .object({
    id: idParam,
    affiliate_id: idParam,
    url: z.string(),
    method: z.enum(['GET', 'POST']),
    events: z.array(z.enum(deliveryEvents)),
    offer_id: idParam.optional(),
    goal: z.string().optional(),
    body: z.string().optional(),
    signing_secret_set: z.boolean().meta({ description: 'whether deliveries are signed; the secret itself is never returned' }),
    active: z.boolean(),
    deactivated_reason: z.string().nullable().optional(),
    consecutive_failures: z.number().int(),
    paused_until: at.nullable().meta({ description: 'the breaker: no attempts before this time' }),
    paused: z.boolean().meta({
      description:
        'paused by hand (POST …/pause) until resumed, unlike the automatic `paused_until`; deliveries wait without spending attempts',
    }),
    paused_at: at.nullable(),
    rotation_overlap_until: at.nullable().meta({
      description: 'after a secret rotation: until then every request also carries the previous secret’s signature',
    }),
    ...timestamps,
  })
  .meta({ id: 'PostbackEndpoint' });

export const secretRotationSchema = z
  .object({
    overlap_hours: z.number().min(0).max(168).default(24).meta({
      description: 'how long requests also carry the old secret’s signature (0: at once only the new one); default 24',
    }),
  })
  .strict();

export const secretRotated = z
  .object({
    id: idParam.meta({ description: "the endpoint's id" }),
    signing_secret: z.string().meta({ description: 'the new secret (whsec_…): shown this once, never again' }),
    rotation_overlap_until: at.nullable().meta({
      description: 'until then the previous secret signs too; null when there was none or overlap_hours was 0',
    }),
  })
  .meta({ id: 'SigningSecretRotated' });

export const postbackMacro = z
  .object({
    name: z.enum(postbackMacros),
    macro: z.string().meta({ description: 'as written in a template', example: '{event_id}' }),
    description: z.string(),
    example: z.string().meta({ description: 'a value it may expand to' }),
  })
  .meta({ id: 'PostbackMacro' });
