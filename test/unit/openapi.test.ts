import { execFileSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import type Koa from 'koa';
import mongoose from 'mongoose';
import request from 'supertest';
import { createApp } from '../../api/app';
import { loadConfig } from '../../config';
import { openApiDocument } from '../../api/openapi/document';
import { healthRoutes } from '../../api/routes/health';
import { createModels } from '../../models';

/**
 * The app is built by createApp with real but unconnected dependencies (a Mongoose connection
 * that never connects, a lazy Temporal client that never dials): no request below reaches
 * them, so this needs no servers.
 */
let app: Koa;
let temporal: Client;
beforeAll(() => {
  const mongo = mongoose.createConnection();
  temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', interceptors: [] }) });
  app = createApp({
    config: loadConfig({ TASK_QUEUE: 'openapi-test' }),
    temporal,
    mongo,
    models: createModels(mongo),
    log: () => undefined,
  });
});
afterAll(async () => {
  await temporal?.connection.close();
});

/**
 * @seriousme/openapi-schema-validator is ESM-only and jest here runs CommonJS, so it runs in a
 * child Node process; the document goes in on stdin, the verdict comes back as JSON.
 */
function validateOpenApi(doc: unknown): { valid: boolean; version: string; errors?: unknown } {
  const script = `import { Validator } from '@seriousme/openapi-schema-validator';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const validator = new Validator();
const result = await validator.validate(JSON.parse(input));
process.stdout.write(JSON.stringify({ ...result, version: validator.version }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(doc),
    cwd: process.cwd(),
    encoding: 'utf8',
  });
  return JSON.parse(out) as { valid: boolean; version: string; errors?: unknown };
}

const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
type Doc = {
  paths: Record<string, Record<string, { security?: Record<string, string[]>[]; parameters?: { in: string; name: string }[] }>>;
};

/** `GET /api/offers/{id}` for every route of every @koa/router mounted on the app (HEAD comes with GET). */
function servedRoutes(koa: Koa): string[] {
  const routes = new Set<string>();
  for (const middleware of koa.middleware as unknown as {
    router?: { stack: { methods: string[]; path: string | RegExp }[] };
  }[]) {
    for (const layer of middleware.router?.stack ?? []) {
      if (typeof layer.path !== 'string') throw new Error(`a route with a RegExp path cannot be documented: ${String(layer.path)}`);
      const path = layer.path.replace(/:(\w+)/g, '{$1}');
      for (const method of layer.methods) if (method !== 'HEAD') routes.add(`${method} ${path}`);
    }
  }
  return [...routes].sort();
}

function documentedRoutes(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => httpMethods.includes(k))
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

describe('GET /openapi.json', () => {
  let doc: Doc;
  beforeAll(async () => {
    const res = await request(app.callback()).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body as Doc;
  });

  it('is a valid OpenAPI 3.1 document', () => {
    const result = validateOpenApi(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result).toMatchObject({ valid: true, version: '3.1' });
  });

  it('the validator catches a broken document (so the check above can fail)', () => {
    const broken = JSON.parse(JSON.stringify(doc)) as Doc;
    broken.paths['/api/offers/{id}']!.get!.parameters![0]!.in = 'body'; // OpenAPI 2's location, gone in 3.x
    expect(validateOpenApi(broken).valid).toBe(false);
  });

  it('documents every route the app serves, and only those', () => {
    const served = servedRoutes(app);
    const documented = documentedRoutes(doc);
    // Sanity: the enumeration found the routers (a broken walk would compare two empty lists).
    expect(served).toEqual(
      expect.arrayContaining(['GET /healthz', 'POST /postback', 'GET /api/offers/{id}', 'GET /openapi.json', 'GET /docs']),
    );
    const undocumented = served.filter((r) => !documented.includes(r));
    const notServed = documented.filter((r) => !served.includes(r));
    expect({ undocumented, notServed }).toEqual({ undocumented: [], notServed: [] });
  });

  it('describes every path parameter, and marks the admin API and postbacks with their credentials', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect({ where, pathParams: pathParams.sort() }).toEqual({ where, pathParams: names.sort() });
        const schemes = (op.security ?? []).flatMap((s) => Object.keys(s)).sort();
        // The console's sign-in carries the key in its body; reading and ending a session need the cookie.
        const expected =
          path === '/api/session'
            ? method === 'post'
              ? []
              : ['consoleSession']
            : path.startsWith('/api/')
              ? ['adminKey', 'consoleSession']
              : path.startsWith('/postback')
                ? ['postbackToken', 'postbackTokenHeader']
                : [];
        expect({ where, schemes }).toEqual({ where, schemes: expected });
      }
    }
  });

  it('has no regex pattern the generator mangled (a /flags suffix would require those characters literally)', () => {
    const patterns = JSON.stringify(doc).match(/"pattern":"(?:[^"\\]|\\.)*"/g) ?? [];
    expect(patterns.length).toBeGreaterThan(0);
    for (const raw of patterns) {
      const pattern = JSON.parse(`{${raw}}`).pattern as string;
      expect(pattern).not.toMatch(/\/[dgimsuvy]+$/);
      expect(() => new RegExp(pattern, 'u')).not.toThrow();
    }
  });

  it('describes the error body on every error answer', () => {
    const raw = doc as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
    };
    for (const item of Object.values(raw.paths)) {
      for (const op of Object.values(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400 && status !== '503')
            expect(response.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Error' });
        }
      }
    }
  });

  it('puts every operation in a declared group', () => {
    const declared = ((doc as unknown as { tags?: { name: string }[] }).tags ?? []).map((t) => t.name);
    const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({
        where: `${method.toUpperCase()} ${path}`,
        tags: (op as { tags?: string[] }).tags ?? [],
      })),
    );
    for (const { where, tags } of ops)
      expect({ where, undeclared: tags.filter((t) => !declared.includes(t)), tagged: tags.length > 0 }).toEqual({
        where,
        undeclared: [],
        tagged: true,
      });
  });

  it('is built once per list of routes (an app builds its own once)', () => {
    const routes = healthRoutes({});
    expect(openApiDocument(routes)).toBe(openApiDocument(routes));
  });
});

describe('GET /docs', () => {
  it('serves Swagger UI with every script and style from this API, with their content types', async () => {
    const page = await request(app.callback()).get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    // Nothing from a CDN: every referenced asset is ours.
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(
      expect.arrayContaining(['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/init.js']),
    );
    const expectedType: Record<string, RegExp> = {
      css: /^text\/css/,
      js: /^application\/javascript/,
      png: /^image\/png/,
    };
    for (const asset of assets) {
      const res = await request(app.callback()).get(asset).buffer(true);
      expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
      expect(res.headers['content-type']).toMatch(expectedType[asset.split('.').pop()!]!);
      expect(Number(res.headers['content-length'] ?? (res.body as Buffer).length ?? res.text.length)).toBeGreaterThan(0);
    }
    const init = await request(app.callback()).get('/docs/assets/init.js');
    expect(init.text).toContain("url: '/openapi.json'");
    const bundle = await request(app.callback()).get('/docs/assets/swagger-ui-bundle.js');
    expect(bundle.text).toContain('SwaggerUIBundle');
  });

  it('serves only the listed files', async () => {
    for (const path of ['/docs/assets/package.json', '/docs/assets/..%2Fpackage.json', '/docs/assets/index.js']) {
      const res = await request(app.callback()).get(path);
      expect({ path, status: res.status, error: res.body.error }).toEqual({ path, status: 404, error: 'not_found' });
    }
  });
});
