import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { version } from '../../package.json';
import type { Route } from '../route';
import { catalogue } from '../../events/catalogue';
import { typedEnvelope } from '../schemas/event';
import { securitySchemes, toRouteConfig } from './operation';

type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const description = `Durable postback processor for affiliate marketing. Advertisers send conversions server-to-server
(\`/postback\`); each accepted conversion becomes one Temporal workflow.

All JSON is snake_case. Errors are always JSON \`{error, message, issues?}\`; validation errors are
\`invalid_request\` with one entry per wrong field in \`issues\`. A parameter sent twice is refused.
Everything under \`/api\` needs \`Authorization: Bearer <ADMIN_API_KEY>\`, or the console's session cookie
(\`POST /api/session\`) with its \`X-CSRF-Token\` header on state-changing calls.`;

/** Swagger UI shows the groups in this order. */
const tags = [
  { name: 'Clicks', description: 'The tracking link affiliates send traffic to' },
  {
    name: 'Advertiser postbacks',
    description: "Conversions sent server-to-server by advertisers, authenticated by the advertiser's postback token",
  },
  {
    name: 'Ingress log',
    description:
      "Every call to the advertisers' postback routes, accepted or refused, with its result code (kept for a configurable period)",
  },
  {
    name: 'MMP postbacks',
    description: "Installs and in-app events from AppsFlyer, Adjust, Branch, Singular and Kochava, with the integration's token",
  },
  { name: 'Advertisers' },
  { name: 'Affiliates' },
  { name: 'Offers' },
  { name: 'MMP integrations', description: "An offer's MMP: event → goal mapping, token, generated templates, the log" },
  { name: 'Affiliate postback endpoints', description: "Where each affiliate's postbacks are delivered, with retries" },
  {
    name: 'Event subscriptions',
    description: 'Receivers of the event catalogue: type patterns, a content filter, field selection, their own signing secret',
  },
  {
    name: 'Events',
    description:
      'The event catalogue and the pull feed: every state change (conversions, deliveries, endpoints, caps) ' +
      'as an event with a stable id. ' +
      'The `webhooks` section lists each type as a subscription receives it',
  },
  { name: 'Conversions' },
  {
    name: 'Test postbacks',
    description: 'Test conversions through the real pipeline, kept out of reports, caps and the ledger',
  },
  { name: 'Deliveries', description: 'Outbound affiliate postbacks: attempts, dead letters, redelivery' },
  { name: 'Reports' },
  { name: 'Live', description: 'New conversions and delivery outcomes as they are stored, as Server-Sent Events' },
  { name: 'Audit', description: 'Every ops action taken through the API: who, when, what, on which target or filter, how many' },
  { name: 'Console session', description: 'Sign-in for the console at /ui: a key or a portal link for an HttpOnly session cookie' },
  {
    name: 'Keys and portal links',
    description: 'Scoped keys (admin, ops, advertiser:<id>, affiliate:<id>; read-only or read-write) and single-use partner sign-in links',
  },
  { name: 'Operations', description: 'Health, metrics and this reference' },
];

function build(routes: readonly Route[]): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  for (const [name, scheme] of Object.entries(securitySchemes)) registry.registerComponent('securitySchemes', name, scheme);
  for (const { spec } of routes) registry.registerPath(toRouteConfig(spec));
  // What a subscription's receiver is sent: one webhook per event type (OpenAPI 3.1 `webhooks`).
  for (const t of catalogue)
    registry.registerWebhook({
      method: 'post',
      path: t.type,
      tags: ['Events'],
      summary: t.description,
      description:
        'Sent to every subscription whose types, scope and filter select it (README "Subscriptions"), with retries, ' +
        "signed with the subscription's Standard Webhooks secret " +
        `(headers webhook-id = \`id\`, webhook-timestamp, webhook-signature). Version ${t.version}.`,
      request: { body: { content: { 'application/json': { schema: typedEnvelope(t) } } } },
      responses: { 200: { description: 'Any 2xx acknowledges the event; anything else is retried on the delivery schedule' } },
    });
  const doc = new OpenApiGeneratorV31(registry.definitions, { sortComponents: 'alphabetically' }).generateDocument({
    openapi: '3.1.0',
    info: { title: 'postflow', version, description, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
    tags,
  });
  return withoutNullParameters(doc);
}

/**
 * zod-to-openapi calls a schema nullable when it accepts null, and z.coerce.number() does
 * (null becomes 0), so `offset` came out as integer-or-null. A query string or path cannot
 * carry a null, so parameters never get that type.
 */
function withoutNullParameters(doc: OpenApiDocument): OpenApiDocument {
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item as Record<string, { parameters?: { schema?: { type?: unknown } }[] }>)) {
      for (const param of op.parameters ?? []) {
        const type = param.schema?.type;
        if (Array.isArray(type) && type.includes('null')) {
          const rest = type.filter((t) => t !== 'null');
          param.schema!.type = rest.length === 1 ? rest[0] : rest;
        }
      }
    }
  }
  return doc;
}

const built = new WeakMap<readonly Route[], { doc: OpenApiDocument; json: string }>();

/**
 * The document of exactly the routes an app mounts, built on first use and kept: the routes and
 * their schemas cannot change while the process runs.
 */
export function openApiDocument(routes: readonly Route[]): OpenApiDocument {
  return documentOf(routes).doc;
}

/** The document as served: serialised once too. */
export function openApiJson(routes: readonly Route[]): string {
  return documentOf(routes).json;
}

function documentOf(routes: readonly Route[]) {
  let entry = built.get(routes);
  if (!entry) {
    const doc = build(routes);
    entry = { doc, json: JSON.stringify(doc) };
    built.set(routes, entry);
  }
  return entry;
}
