import { z } from 'zod';
import { generateSigningSecret } from '../../activities/http/signature';
import { headersToRecord } from '../../activities/http/request-record';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import { optInTypes } from '../../events/catalogue';
import { typeMatches, unknownPatterns } from '../../subscriptions/event-types';
import { isPartner } from '../access/principal';
import { addAuditDetail, fieldsSent, skipAudit } from '../audit';
import { redeliverEach } from '../redeliver';
import { principalOf } from '../auth';
import { ApiError } from '../errors';
import { byId, json } from '../openapi/operation';
import { route, type Route } from '../route';
import { rotateSigningSecret, rotationOverlapUntil } from '../secret-rotation';
import { secretRotated, secretRotationSchema } from '../schemas/postback-endpoint';
import {
  subscription,
  subscriptionCreated,
  subscriptionCreateSchema,
  subscriptionDeliveryListQuery,
  subscriptionDeliveryPage,
  subscriptionListQuery,
  subscriptionReplayed,
  subscriptionReplaySchema,
  subscriptionUpdateSchema,
} from '../schemas/subscription';
import { serializer } from '../serialize';
import { ensureDispatcher, feedStart } from '../subscription-dispatcher';
import { wakeDeliveries } from '../wake-deliveries';
import type { Client } from '@temporalio/client';

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);
const plain = serializer(
  'url',
  'event_types',
  'filter',
  'strict_order',
  'active',
  'paused',
  'consecutive_failures',
  'created_at',
  'updated_at',
);

/** A subscription's delivery row as the API shows it (the body is the event, readable in the feed). */
const deliveryFields = serializer('event_id', 'type', 'sequence', 'status', 'run', 'attempt_count', 'occurred_at');
const subscriptionDeliveryToApi = (doc: Record<string, unknown>) => ({
  ...deliveryFields(doc),
  status_reason: (doc.status_reason as string | undefined) ?? null,
  last_status_code: (doc.last_status_code as number | undefined) ?? null,
  last_error: (doc.last_error as string | undefined) ?? null,
  next_attempt_at: iso(doc.next_attempt_at),
  delivered_at: iso(doc.delivered_at),
});

/** A subscription as the API shows it: never its secret, and a secret-named custom header's value masked. */
const subscriptionToApi = (doc: Record<string, unknown>, now: Date) => ({
  ...plain(doc),
  fields: (doc.fields as string[] | undefined) ?? null,
  headers: headersToRecord((doc.headers as Record<string, string> | undefined) ?? {}),
  affiliate_id: (doc.affiliate_id as string | null | undefined) ?? null,
  description: (doc.description as string | undefined) ?? null,
  deactivated_reason: (doc.deactivated_reason as string | undefined) ?? null,
  paused: doc.paused === true,
  paused_at: iso(doc.paused_at),
  paused_until: iso(doc.paused_until),
  rotation_overlap_until: rotationOverlapUntil(doc, now),
});

/** The group a partner may subscribe to: events about its own conversions (scope enforced again at delivery). */
const PARTNER_GROUP = 'conversion.';
/** Events one replay call sends at most. */
const REPLAY_LIMIT = 10_000;

export function subscriptionRoutes({
  models,
  now,
  eventTypes,
  notRecorded = [],
  temporal,
  taskQueue,
}: {
  models: Models;
  now: () => Date;
  eventTypes: readonly string[];
  /** Opt-in types this deployment does not record (click.created without EVENTS_CLICK_CREATED): refused by name. */
  notRecorded?: readonly string[];
  temporal: Client;
  taskQueue: string;
}): Route[] {
  const dispatcher = { models, temporal, taskQueue };
  const show = (doc: Record<string, unknown>) => subscriptionToApi(doc, now());
  const base = { tag: 'Event subscriptions', access: 'admin' } as const;
  const ownSubscription = {
    ops: true,
    affiliate: { owned: 'Subscription', label: 'subscription' },
  } as const;
  const find = async (id: string) => {
    const doc = await models.Subscription.findById(id).lean<Record<string, unknown>>();
    if (!doc) throw new ApiError(404, 'not_found', `no subscription with id "${id}"`);
    return doc;
  };
  /** Every pattern must name a type of the catalogue; a partner's only its conversions' types. */
  const checkTypes = (patterns: readonly string[], partner: boolean) => {
    const issues = unknownPatterns(patterns, eventTypes).map((p) => ({
      path: `event_types.${patterns.indexOf(p)}`,
      code: 'unknown_event_type',
      message: `"${p}" selects no event type (GET /api/event-types lists them)`,
    }));
    patterns.forEach((p, i) => {
      // Named or by group: a subscription that asks for them would wait for events that never come.
      const missing = notRecorded.filter((type) => typeMatches(p, type, optInTypes));
      if (missing.length > 0 && !eventTypes.some((t) => !missing.includes(t) && typeMatches(p, t, optInTypes)))
        issues.push({
          path: `event_types.${i}`,
          code: 'not_recorded',
          message: `${missing.join(', ')} is not recorded by this deployment: set EVENTS_CLICK_CREATED=true to record it`,
        });
    });
    if (partner)
      patterns.forEach((p, i) => {
        if (!p.startsWith(PARTNER_GROUP))
          issues.push({
            path: `event_types.${i}`,
            code: 'out_of_scope',
            message: `an affiliate subscribes to conversion.* types only, not "${p}"`,
          });
      });
    if (issues.length > 0) throw new ApiError(400, 'invalid_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
  };

  const create = route(
    {
      ...base,
      method: 'post',
      path: '/api/subscriptions',
      realms: {
        ops: true,
        affiliate: { handler: "scoped to the affiliate's own conversions: affiliate_id is set to the affiliate itself" },
      },
      capability: 'manage_endpoints',
      summary: 'Subscribe a receiver to events',
      description:
        'Answers the subscription with its Standard Webhooks `signing_secret` (whsec_…), shown this once. ' +
        "An affiliate's subscription is scoped to its own conversions and to conversion.* types.",
      body: subscriptionCreateSchema,
      responses: { 201: json(subscriptionCreated, 'Created, with its secret shown this once') },
      errors: [404],
      audit: { action: 'subscription.create', target: 'response', detail: fieldsSent },
    },
    async (ctx, { body: input }) => {
      const principal = principalOf(ctx);
      const partner = isPartner(principal);
      // A partner's scope is itself, whatever it sent; another affiliate's id looks missing (404), as everywhere.
      if (partner && input.affiliate_id !== undefined && input.affiliate_id !== principal.party_id)
        throw new ApiError(404, 'not_found', `no affiliate with id "${input.affiliate_id}"`);
      const affiliateId = partner ? principal.party_id : (input.affiliate_id ?? null);
      if (!partner && affiliateId && !(await models.Affiliate.exists({ _id: affiliateId })))
        throw new ApiError(400, 'invalid_request', `affiliate_id: no affiliate with id "${affiliateId}"`, [
          { path: 'affiliate_id', code: 'unknown_reference', message: 'no such affiliate' },
        ]);
      checkTypes(input.event_types, partner);
      const secret = generateSigningSecret();
      const doc = await models.Subscription.create({
        _id: newId('sub'),
        ...input,
        filter: input.filter ?? {},
        headers: input.headers ?? {},
        affiliate_id: affiliateId,
        created_by: principal.name,
        signing_secret: secret,
        feed_position: await feedStart(models),
      });
      await ensureDispatcher(dispatcher, doc._id);
      ctx.status = 201;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { ...show(doc.toObject()), signing_secret: secret };
    },
  );

  const list = route(
    {
      ...base,
      method: 'get',
      path: '/api/subscriptions',
      realms: { ops: true, affiliate: { filter: 'affiliate_id' } },
      summary: 'Event subscriptions',
      query: subscriptionListQuery,
      responses: { 200: json(z.object({ data: z.array(subscription) }), 'All of them (an affiliate: its own)') },
      errors: [400],
    },
    async (ctx, { query }) => {
      const filter = query.affiliate_id ? { affiliate_id: query.affiliate_id } : {};
      const docs = await models.Subscription.find(filter).sort({ _id: 1 }).limit(1000).lean<Record<string, unknown>[]>();
      ctx.body = { data: docs.map(show) };
    },
  );

  const read = route(
    {
      ...base,
      method: 'get',
      path: '/api/subscriptions/{id}',
      realms: ownSubscription,
      summary: 'Read a subscription',
      params: byId('subscription'),
      responses: { 200: json(subscription, 'Found') },
      errors: [400, 404],
    },
    async (ctx, { params }) => {
      ctx.body = show(await find(params.id));
    },
  );

  const update = route(
    {
      ...base,
      method: 'patch',
      path: '/api/subscriptions/{id}',
      realms: ownSubscription,
      capability: 'manage_endpoints',
      summary: 'Update a subscription',
      description: '`fields: null` sends all of `data` again; `active: true` also closes the breaker. Its scope never changes.',
      params: byId('subscription'),
      body: subscriptionUpdateSchema,
      responses: { 200: json(subscription, 'Updated') },
      errors: [404],
      audit: { action: 'subscription.update', target: 'params', detail: fieldsSent },
    },
    async (ctx, { params, body: patch }) => {
      const doc = await find(params.id);
      // The stored scope decides, not who calls: ops editing an affiliate's subscription keep it to conversion.* too.
      if (patch.event_types) checkTypes(patch.event_types, Boolean(doc.affiliate_id));
      const { fields, ...rest } = patch;
      const update: { $set: Record<string, unknown>; $unset?: Record<string, 1> } = { $set: { ...rest } };
      if (fields === null) update.$unset = { fields: 1 };
      else if (fields !== undefined) update.$set.fields = fields;
      // Reactivating also closes the breaker: someone saying "it works again" should be believed.
      if (patch.active === true) Object.assign(update.$set, { consecutive_failures: 0, paused_until: null, deactivated_reason: null });
      const updated = await models.Subscription.findByIdAndUpdate(params.id, update, { new: true }).lean<Record<string, unknown>>();
      // Reactivated: its dispatcher ended with the deactivation and starts again where it stopped.
      if (patch.active === true) await ensureDispatcher(dispatcher, params.id);
      ctx.body = show(updated!);
    },
  );

  // Deactivation, not deletion: its sequence numbers, deliveries and attempts keep pointing at it.
  const deactivate = route(
    {
      ...base,
      method: 'delete',
      path: '/api/subscriptions/{id}',
      realms: ownSubscription,
      capability: 'manage_endpoints',
      summary: 'Deactivate a subscription',
      params: byId('subscription'),
      responses: { 200: json(subscription, 'Deactivated') },
      errors: [400, 404],
      audit: { action: 'subscription.deactivate', target: 'params' },
    },
    async (ctx, { params }) => {
      await find(params.id);
      const updated = await models.Subscription.findByIdAndUpdate(
        params.id,
        { $set: { active: false, deactivated_reason: 'deactivated through the API' } },
        { new: true },
      ).lean<Record<string, unknown>>();
      ctx.body = show(updated!);
    },
  );

  const rotateSecret = route(
    {
      ...base,
      method: 'post',
      path: '/api/subscriptions/{id}/secret/rotate',
      realms: ownSubscription,
      capability: 'rotate_secrets',
      summary: "Rotate a subscription's signing secret",
      description:
        'Answers the new secret once. For `overlap_hours` (default 24) every request carries two signatures in ' +
        '`webhook-signature`, the new secret’s first, then only the new one.',
      params: byId('subscription'),
      body: secretRotationSchema,
      responses: { 200: json(secretRotated, 'The new secret, shown this once') },
      errors: [404, 409],
      audit: { action: 'subscription.rotate_secret', target: 'params' },
    },
    async (ctx, { params, body }) => {
      const doc = await find(params.id);
      const rotated = await rotateSigningSecret(models.Subscription, doc, body.overlap_hours, now());
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { id: params.id, ...rotated };
    },
  );

  const pause = route(
    {
      ...base,
      method: 'post',
      path: '/api/subscriptions/{id}/pause',
      realms: ownSubscription,
      capability: 'manage_endpoints',
      summary: 'Pause a subscription until it is resumed',
      description: 'Its events wait (none is skipped, none spends an attempt) until `POST …/resume`.',
      params: byId('subscription'),
      responses: { 200: json(subscription, 'Paused') },
      errors: [400, 404],
      audit: { action: 'subscription.pause', target: 'params' },
    },
    async (ctx, { params }) => {
      await find(params.id);
      // Paused once: pausing again keeps the first paused_at.
      await models.Subscription.updateOne({ _id: params.id, paused: { $ne: true } }, { $set: { paused: true, paused_at: now() } });
      ctx.body = show(await find(params.id));
    },
  );

  const resume = route(
    {
      ...base,
      method: 'post',
      path: '/api/subscriptions/{id}/resume',
      realms: ownSubscription,
      capability: 'manage_endpoints',
      summary: 'Resume a paused subscription',
      description: 'Its waiting events are sent from where it stopped. The breaker’s automatic pause is not touched.',
      params: byId('subscription'),
      responses: { 200: json(subscription, 'Resumed') },
      errors: [400, 404],
      audit: { action: 'subscription.resume', target: 'params' },
    },
    async (ctx, { params }) => {
      await find(params.id);
      await models.Subscription.updateOne({ _id: params.id }, { $set: { paused: false, paused_at: null } });
      await ensureDispatcher(dispatcher, params.id);
      await wakeDeliveries(dispatcher, { subscriptionId: params.id });
      ctx.body = show(await find(params.id));
    },
  );

  const replay = route(
    {
      ...base,
      method: 'post',
      path: '/api/subscriptions/{id}/replay',
      realms: ownSubscription,
      capability: 'manage_endpoints',
      summary: "Send a range of the subscription's events again, with their original ids",
      description:
        'Every event the subscription was given in the range is delivered again as a new run: the same body, ' +
        '`id` (webhook-id) and `sequence`, so a receiver that dedupes on the id sees nothing twice. The range is a time range ' +
        '(events that occurred in [`from`, `to`)) or a sequence range (`after_sequence`, the last event a receiver processed, ' +
        'up to `through_sequence`). At most 10 000 per call, oldest first: when `truncated`, call again with ' +
        '`after_sequence` = `last_sequence` (and the same end). ' +
        'Events still being delivered are skipped (`in_progress`). Replayed events are not ordered among themselves, ' +
        'even for a strict-order subscription. `dry_run` counts without sending.',
      params: byId('subscription'),
      body: subscriptionReplaySchema,
      responses: { 202: json(subscriptionReplayed, 'Started (or, with dry_run, counted)') },
      errors: [404],
      audit: { action: 'subscription.replay', target: 'params' },
    },
    async (ctx, { params, body: q }) => {
      await find(params.id);
      const range =
        q.after_sequence !== undefined
          ? { sequence: { $gt: q.after_sequence, ...(q.through_sequence ? { $lte: q.through_sequence } : {}) } }
          : { occurred_at: { $gte: new Date(q.from!), ...(q.to ? { $lt: new Date(q.to) } : {}) } };
      const docs = await models.SubscriptionDelivery.find({ subscription_id: params.id, ...range }, { _id: 1, sequence: 1 })
        .sort({ sequence: 1 })
        .limit(REPLAY_LIMIT + 1)
        .lean<{ _id: string; sequence: number }[]>();
      const matched = docs.slice(0, REPLAY_LIMIT);
      const truncated = docs.length > REPLAY_LIMIT;
      const { started, inProgress } = q.dry_run
        ? { started: 0, inProgress: 0 }
        : await redeliverEach(
            dispatcher,
            matched.map((d) => d._id),
          );
      const lastSequence = matched.at(-1)?.sequence ?? null;
      const { dry_run: _, ...asked } = q;
      if (q.dry_run)
        skipAudit(ctx); // a count changes nothing, as a bulk redelivery's preview
      else addAuditDetail(ctx, { filter: asked, matched: matched.length, started, truncated, count: started });
      ctx.status = 202;
      ctx.body = {
        matched: matched.length,
        started,
        in_progress: inProgress,
        truncated,
        last_sequence: lastSequence,
        dry_run: q.dry_run === true,
      };
    },
  );

  const deliveries = route(
    {
      ...base,
      method: 'get',
      path: '/api/subscriptions/{id}/deliveries',
      realms: ownSubscription,
      summary: "A subscription's events and how their delivery went, in sequence order",
      description:
        'One row per event given to the subscription: its sequence number, event id, status (pending, delivering, succeeded, ' +
        'failed, dead_lettered), attempts in the current run and the last answer. `status=dead_lettered` lists its dead letters; ' +
        'redeliver one with `POST /api/deliveries/{id}/redeliver`, a range with `…/replay`. Pages by `after_sequence`.',
      params: byId('subscription'),
      query: subscriptionDeliveryListQuery,
      responses: { 200: json(subscriptionDeliveryPage, 'One page') },
      errors: [400, 404],
    },
    async (ctx, { params, query: q }) => {
      await find(params.id);
      const docs = await models.SubscriptionDelivery.find({
        subscription_id: params.id,
        ...(q.status ? { status: q.status } : {}),
        ...(q.after_sequence !== undefined ? { sequence: { $gt: q.after_sequence } } : {}),
      })
        .sort({ sequence: 1 })
        .limit(q.limit + 1)
        .lean<Record<string, unknown>[]>();
      const page = docs.slice(0, q.limit);
      ctx.body = {
        data: page.map(subscriptionDeliveryToApi),
        next_after_sequence: docs.length > q.limit ? (page.at(-1)!.sequence as number) : null,
      };
    },
  );

  return [create, list, read, update, deactivate, rotateSecret, pause, resume, replay, deliveries];
}
