import { createReadStream } from 'node:fs';
import Router from '@koa/router';
import { openApiJson } from '../openapi/document';
import { docsAssetPath, docsAssets, docsHtml, docsInitName, docsInitScript, type DocsAsset } from '../openapi/swagger-ui';
import { ApiError } from '../errors';

/** GET /openapi.json (built from the zod schemas, api/openapi/) and the Swagger UI page at /docs. Public. */
export function docsRoutes(): Router {
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = openApiJson();
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = docsHtml;
  });
  router.get('/docs/assets/:file', (ctx) => {
    const file = ctx.params.file ?? '';
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
  });
  return router;
}
