import { existsSync } from 'node:fs';
import path from 'node:path';
import { send } from '@koa/send';
import type { Context, Next } from 'koa';
import { projectRoot } from '../../system/project-root';

/**
 * The ops console (ui/, built by Vite into dist/ui) served at /ui by the API process itself:
 * no CDN, no second server. Hashed files under /ui/assets are cached for good; every other path
 * under /ui is a screen of the single-page app and gets index.html.
 */
export const consolePrefix = '/ui';

export const consoleBuildDir = path.join(projectRoot(), 'dist', 'ui');

/**
 * Strict by design: scripts, styles and data only from this origin, no inline script or style
 * element, no framing, no plugins. The console needs nothing more (uPlot and Preact set styles
 * through the DOM, which style-src does not govern).
 */
export const consoleCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>postflow console not built</title></head>
<body><h1>The console is not built</h1>
<p>Run <code>npm run build:ui</code> (<code>npm start</code> builds it for you), then reload.</p></body></html>`;

export function consoleStatic(buildDir: string = consoleBuildDir) {
  return async (ctx: Context, next: Next) => {
    const p = ctx.path;
    if (p !== consolePrefix && !p.startsWith(`${consolePrefix}/`)) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', 'GET, HEAD');
      ctx.status = 405;
      ctx.body = { error: 'method_not_allowed', message: `${ctx.method} is not allowed on the console's files; allowed: GET, HEAD` };
      return;
    }
    ctx.set('Content-Security-Policy', consoleCsp);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    // The query goes along: a shared link to /ui?… must keep its filters.
    if (p === consolePrefix) return ctx.redirect(`${consolePrefix}/${ctx.querystring ? `?${ctx.querystring}` : ''}`);
    const rest = p.slice(consolePrefix.length + 1);
    if (!existsSync(path.join(buildDir, 'index.html'))) {
      ctx.status = 503;
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = notBuilt;
      return;
    }
    if (rest.startsWith('assets/')) {
      // Vite puts a content hash in every asset's name: a changed file has a new name.
      const served = await send(ctx, rest, { root: buildDir, immutable: true, maxage: 365 * 24 * 3600 * 1000 }).catch(() => undefined);
      if (!served) {
        ctx.status = 404;
        ctx.body = { error: 'not_found', message: `no console file ${p}` };
      }
      return;
    }
    // Any other path is a screen: the app reads the URL and shows it (reload and shared links work).
    ctx.set('Cache-Control', 'no-cache');
    await send(ctx, 'index.html', { root: buildDir });
  };
}
