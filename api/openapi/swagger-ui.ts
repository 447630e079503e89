import path from 'node:path';

/**
 * The browsable reference: Swagger UI from the installed swagger-ui-dist package, served by
 * this API (no CDN, so it works offline and behind strict egress rules). Only the files below
 * are served: the route maps names to files, never a client path to the disk.
 */
// require('swagger-ui-dist') would load the 1.7 MB browser bundle into Node; its package.json
// locates the folder without that.
const distDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

export const docsAssets = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
  // Fetched only by browser developer tools; without them every page load logs a 404 there.
  'swagger-ui.css.map': 'application/json',
  'swagger-ui-bundle.js.map': 'application/json',
} as const;
export type DocsAsset = keyof typeof docsAssets;
export const docsAssetNames = Object.keys(docsAssets) as DocsAsset[];
export const docsAssetPath = (name: DocsAsset) => path.join(distDir, name);

/** Our start-up script, served as a file rather than inline so a strict CSP can forbid inline scripts. */
export const docsInitName = 'init.js';
export const docsInitScript = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: false });
});
`;

export const docsHtml = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>postflow API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/${docsInitName}"></script>
</body>
</html>
`;
