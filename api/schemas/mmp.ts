import { z } from 'zod';
import { mmpKinds, mmpVendors } from '../../domain/mmp/vendors';
import { at, idParam } from './common';
import { cidr } from './parties';

const goalKey = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/i, 'must be 1-64 letters, digits, "_", "." or "-"')
  .meta({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', example: 'install' });

const eventMapping = z.object({
  event: z.string().trim().min(1).max(200).meta({
    description: 'the vendor event: an AppsFlyer or Branch event name, an Adjust event token, a Singular or Kochava name',
    example: 'af_purchase',
  }),
  goal: goalKey,
});

const fields = {
  install_goal: goalKey.optional().meta({ description: "the goal an install becomes; default: the offer's default_goal" }),
  events: z.array(eventMapping).max(500).meta({ description: 'vendor events → goals; an event not listed is logged, never counted' }),
  kind_goals: z
    .object({ reattribution: goalKey.optional(), reinstall: goalKey.optional(), reengagement: goalKey.optional() })
    .meta({ description: 'goals for reattributions, reinstalls and re-engagements; unset: logged, never counted as an install' }),
  post_install_window_hours: z
    .number()
    .positive()
    .max(24 * 365)
    .nullable()
    .meta({ description: 'in-app events later than this after the install are logged, not counted; null: no window' }),
  link_base: z
    .string()
    .trim()
    .max(1000)
    .regex(/^https?:\/\/[^\s{}]+$/, 'must be an http(s) URL without macros')
    .nullable()
    .meta({
      description: "the vendor's link for the app, before postflow's parameters (e.g. https://app.appsflyer.com/id123?pid=net_int)",
    }),
  ip_allowlist: z.array(cidr).max(100).meta({ description: 'postbacks only from these addresses or ranges; empty: from anywhere' }),
  active: z.boolean(),
};

export const mmpIntegrationCreate = z.object({
  vendor: z.enum(mmpVendors),
  install_goal: fields.install_goal,
  events: fields.events.default([]),
  kind_goals: fields.kind_goals.default({}),
  post_install_window_hours: fields.post_install_window_hours.optional(),
  link_base: fields.link_base.optional(),
  ip_allowlist: fields.ip_allowlist.default([]),
  vendor_ip_ranges: z
    .boolean()
    .default(false)
    .meta({ description: "add the vendor's published postback ranges to ip_allowlist (AppsFlyer, Adjust, Singular publish them)" }),
  active: fields.active.default(true),
});

export const mmpIntegrationUpdate = z
  .object({
    install_goal: fields.install_goal,
    events: fields.events.optional(),
    kind_goals: fields.kind_goals.optional(),
    post_install_window_hours: fields.post_install_window_hours.optional(),
    link_base: fields.link_base.optional(),
    ip_allowlist: fields.ip_allowlist.optional(),
    active: fields.active.optional(),
  })
  .strict();

const template = z.object({ for: z.string(), kinds: z.array(z.enum(mmpKinds)), url: z.string() });

export const mmpIntegration = z
  .object({
    id: z.string(),
    offer_id: z.string(),
    vendor: z.enum(mmpVendors),
    token_prefix: z.string().meta({ description: 'the first characters of the token, to tell integrations apart' }),
    install_goal: z.string(),
    events: z.array(eventMapping),
    kind_goals: fields.kind_goals,
    post_install_window_hours: z.number().nullable(),
    link_base: z.string().nullable(),
    ip_allowlist: z.array(z.string()),
    active: z.boolean(),
    templates: z
      .object({ tracking_link: z.string(), postbacks: z.array(template), instructions: z.string() })
      .meta({ description: "ready to paste: the tracking link to save as the offer's URL, and the URLs the vendor calls" }),
    created_at: at,
    updated_at: at,
  })
  .meta({ id: 'MmpIntegration' });

export const mmpIntegrationCreated = z
  .intersection(mmpIntegration, z.object({ token: z.string().meta({ description: 'shown once; the templates carry it' }) }))
  .meta({ id: 'MmpIntegrationCreated' });

export const mmpLogQuery = z.object({
  reason: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const mmpLogPage = z
  .object({
    data: z.array(
      z.object({
        id: z.string(),
        reason: z.string(),
        detail: z.string(),
        kind: z.string().optional(),
        event: z.string().optional(),
        click_id: z.string().optional(),
        raw: z.record(z.string(), z.unknown()),
        received_at: at,
      }),
    ),
  })
  .meta({ id: 'MmpEventLog' });

export const mmpVendorParam = z.object({ vendor: z.enum(mmpVendors) });
export const mmpIdParam = z.object({ id: idParam });

export const mmpPostbackResult = z
  .object({
    result: z.enum(['accepted', 'duplicate', 'status_update', 'logged']),
    conversion_id: z.string().optional(),
    status: z.string().optional(),
    reason: z.string().optional().meta({ description: 'logged: why no conversion was made or changed' }),
  })
  .meta({ id: 'MmpPostbackResult' });
