import { staffOnly } from '../access/authorize';
import type { Models } from '../../models';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';
import { auditListQuery, auditPage } from '../schemas/audit';
import { serializer } from '../serialize';

// Entries hold no secret by construction (api/audit.ts); the allow-list keeps it that way.
const auditEntryToApi = serializer(
  'at',
  'actor',
  'action',
  'target_type',
  'target_id',
  'filter',
  'matched',
  'started',
  'truncated',
  'count',
  'fields',
  'status',
  'reason',
  'overlap_hours',
  'conversion_id',
  'request_id',
);

/** The lowest id an entry made at `date` can have: ids start with the time (models/audit-entry.ts). */
const idAt = (date: string) => `aud_${new Date(date).getTime().toString(16).padStart(12, '0')}`;

export function auditRoutes(models: Models): Route[] {
  return [
    route(
      {
        tag: 'Audit',
        access: 'admin',
        realms: staffOnly,
        method: 'get',
        path: '/api/audit',
        summary: 'The audit log: every ops action, newest first',
        description:
          'Status changes, redeliveries (one or bulk, with the filter and counts) and configuration changes made through the API. ' +
          'Pages by keyset: pass `next_before` as `before`.',
        query: auditListQuery,
        responses: { 200: json(auditPage, 'One page') },
        errors: [400],
      },
      async (ctx, { query: q }) => {
        const id: Record<string, string> = {};
        if (q.from) id.$gte = idAt(q.from);
        const upper = [q.to && idAt(q.to), q.before].filter((v): v is string => Boolean(v)).sort()[0];
        if (upper) id.$lt = upper;
        const filter: Record<string, unknown> = Object.keys(id).length > 0 ? { _id: id } : {};
        if (q.action) filter.action = q.action;
        if (q.target_id) filter.target_id = q.target_id;
        const docs = await models.AuditEntry.find(filter)
          .sort({ _id: -1 })
          .limit(q.limit + 1)
          .lean<Record<string, unknown>[]>();
        const data = docs.slice(0, q.limit);
        ctx.body = {
          data: data.map(auditEntryToApi),
          next_before: docs.length > q.limit ? (data[data.length - 1]!._id as string) : null,
        };
      },
    ),
  ];
}
