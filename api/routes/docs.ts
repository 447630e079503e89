import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { ApiError } from '../errors';
import { json, text } from '../openapi/operation';
import { docsAssetNames, docsAssetPath, docsAssets, docsHtml, docsInitName, docsInitScript, type DocsAsset } from '../openapi/swagger-ui';
import { route, type Route } from '../route';

/**
 * GET /openapi.json (built from the app's route definitions, api/openapi/document.ts) and the
 * Swagger UI page at /docs. Public.
 */
export function docsRoutes(document: () => string): Route[] {
  const op = { tag: 'Operations', access: 'public', method: 'get' } as const;
  return [
    route(
      {
        ...op,
        path: '/openapi.json',
        summary: 'This OpenAPI 3.1 document',
        responses: { 200: json(z.record(z.string(), z.unknown()), 'The document') },
      },
      (ctx) => {
        ctx.type = 'application/json; charset=utf-8';
        ctx.body = document();
      },
    ),
    route(
      {
        ...op,
        path: '/docs',
        summary: 'Browsable API reference (Swagger UI)',
        responses: { 200: text('text/html; charset=utf-8', 'HTML page') },
      },
      (ctx) => {
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = docsHtml;
      },
    ),
    route(
      {
        ...op,
        path: '/docs/assets/{file}',
        summary: "The reference page's scripts, styles and icons",
        // Checked by the handler: an unknown name is a 404 (a file that is not there), not a 400.
        params: z.object({ file: z.string().meta({ enum: [...docsAssetNames, docsInitName] }) }),
        responses: {
          200: {
            description: 'The file, with its content type',
            content: {
              'application/javascript': { schema: z.string() },
              'text/css': { schema: z.string() },
              'image/png': { schema: z.string() },
              // Source maps, fetched by browser developer tools.
              'application/json': { schema: z.record(z.string(), z.unknown()) },
            },
          },
        },
        errors: [404],
      },
      (ctx, { params: { file } }) => {
        if (file === docsInitName) {
          ctx.type = 'application/javascript; charset=utf-8';
          ctx.body = docsInitScript;
          return;
        }
        if (!Object.hasOwn(docsAssets, file)) throw new ApiError(404, 'not_found', `no docs asset "${file}"`);
        // The files change only with the installed swagger-ui-dist version.
        ctx.set('Cache-Control', 'public, max-age=86400');
        ctx.type = docsAssets[file as DocsAsset];
        ctx.body = createReadStream(docsAssetPath(file as DocsAsset));
      },
    ),
  ];
}
