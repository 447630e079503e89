import { z } from 'zod';
import { catalogue, dataJsonSchema, type EventType } from '../../events/catalogue';
import { cursorPattern } from '../../events/feed';

const instant = z.iso.datetime({ offset: true });

/** The envelope every consumer sees, pulled from the feed or pushed to a subscription (events/envelope.ts). */
const envelopeFields = {
  id: z
    .string()
    .meta({ description: 'stable across retries, replays and redeliveries: dedupe on it', example: 'evt_0123456789abcdef01234567' }),
  occurred_at: instant.meta({ description: 'when the state change happened' }),
  schema_version: z.number().int().min(1).meta({ description: "the version of `data`'s schema for this type" }),
};

export const eventEnvelope = z
  .object({
    ...envelopeFields,
    type: z.string().meta({ description: 'a type of the catalogue (GET /api/event-types)', example: 'conversion.status_changed' }),
    data: z.record(z.string(), z.unknown()).meta({ description: "the type's data, as its JSON Schema in GET /api/event-types says" }),
  })
  .meta({ id: 'Event' });

/** One type's envelope with its data schema: what the document lists under `webhooks`. */
export const typedEnvelope = (t: EventType) =>
  z.object({
    ...envelopeFields,
    type: z.literal(t.type),
    data: t.schema,
    sequence: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: "pushed to a subscription only: the event's number among that subscription's events, 1, 2, 3 … without gaps" }),
  });

/** Every exact type and every group (`conversion.*`) the catalogue has: what `types` accepts. */
const typeTokens = [...new Set([...catalogue.map((t) => t.type), ...catalogue.map((t) => `${t.type.split('.')[0]}.*`)])];
const token = `(${typeTokens.map((t) => t.replace(/[.*]/g, (c) => `\\${c}`)).join('|')})`;

const cursor = z.string().regex(new RegExp(cursorPattern), 'must be the `next` of an earlier page, or 0 for the start');
const typesParam = z
  .string()
  .regex(new RegExp(`^${token}(,${token})*$`), 'must be event types or groups of the catalogue, comma-separated (GET /api/event-types)')
  .optional()
  .meta({
    description: 'only these types, comma-separated; a group such as `conversion.*` names all of its types',
    example: 'conversion.*',
  });

export const eventFeedQuery = z.object({
  after: cursor.optional().meta({ description: "the previous page's `next`; from the start of the retained events when absent" }),
  types: typesParam,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const eventStreamQuery = z.object({
  after: cursor.optional().meta({
    description: "start after this feed position (a page's `next`, an event's SSE id, or 0 for the start); from now when absent",
  }),
  types: typesParam,
});

export const eventStreamHeaders = z.object({
  'last-event-id': z
    .string()
    .regex(new RegExp(cursorPattern), 'must be the id of an event this stream sent')
    .optional()
    .meta({ description: 'resume after this event (EventSource sends it when it reconnects); wins over `after`' }),
});

export const eventPage = z.object({
  data: z.array(eventEnvelope),
  next: z
    .string()
    .meta({ description: 'pass as `after` for the next page; an empty page keeps the cursor, to poll from', example: '1042' }),
});

export const eventTypeEntry = z.object({
  type: z.string().meta({ example: 'conversion.status_changed' }),
  version: z.number().int(),
  description: z.string(),
  data_schema: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema (draft 2020-12) of `data`' }),
  example: eventEnvelope,
});

export const eventTypeList = z.object({ data: z.array(eventTypeEntry) });

/** The catalogue as GET /api/event-types answers it, built once. */
export const eventTypesAnswer = () => ({
  data: catalogue.map((t) => ({
    type: t.type,
    version: t.version,
    description: t.description,
    data_schema: dataJsonSchema(t),
    example: {
      id: 'evt_0123456789abcdef01234567',
      type: t.type,
      occurred_at: '2026-12-01T10:00:00.000Z',
      schema_version: t.version,
      data: t.example as Record<string, unknown>,
    },
  })),
});

/** The exact types a `types` parameter names (its groups expanded). */
export const expandTypes = (types: string): string[] =>
  catalogue
    .map((t) => t.type)
    .filter((type) => types.split(',').some((p) => p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1)))));
