/**
 * How fast the ops console loads, as `npm start` serves it (the API as its own production
 * process, the production build of the console, the embedded MongoDB on a file): a fresh browser
 * context per load (nothing cached), signed in, from navigation to the screen's heading on
 * screen. Baseline in the same run and browser: the API reference page (/docs, Swagger UI,
 * served by the same process), to its operations list.
 * Run: npx tsx bench/console-load.ts [--storage memory] [--loads 15]
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../scripts/build-ui';
import { chromiumPath } from '../test/support/browser';
import { createOfferSetup } from './lib/admin';
import { parseFlags } from './lib/args';
import { log } from './lib/log';
import { machineFacts, versions } from './lib/machine';
import { runMain } from './lib/main';
import { startApiProcess } from './lib/processes';
import { writeReport } from './lib/results';
import { benchStorage, startInfra, storageFlag } from './lib/stack';
import { round, summarise } from './lib/stats';

const flags = parseFlags('npx tsx bench/console-load.ts [flags]', {
  storage: storageFlag,
  loads: { help: 'measured page loads per page (each in a fresh browser context)', default: 15, min: 1 },
  warmup: { help: 'discarded loads per page first', default: 2, min: 0 },
});
const storage = benchStorage(flags.storage);

interface Load {
  /** Navigation start → the screen's content visible. */
  readyMs: number;
  /** Navigation start → the load event (every file fetched and run). */
  loadEventMs: number;
  /** Bytes over the wire (compressed where the server compressed), as the browser counted them. */
  transferBytes: number;
}

async function measureLoad(
  browser: Browser,
  url: string,
  ready: (page: Page) => Promise<unknown>,
  cookie?: { name: string; value: string },
): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    if (cookie) await context.addCookies([{ ...cookie, url: new URL('/api/', url).toString(), httpOnly: true, sameSite: 'Strict' }]);
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(url, { waitUntil: 'commit' });
    await ready(page);
    const readyMs = Date.now() - t0;
    await page.waitForLoadState('load');
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      return {
        loadEventMs: nav.loadEventEnd - nav.startTime,
        transferBytes: nav.transferSize + resources.reduce((t, r) => t + r.transferSize, 0),
      };
    });
    return { readyMs, loadEventMs: round(timing.loadEventMs, 1), transferBytes: timing.transferBytes };
  } finally {
    await context.close();
  }
}

async function series(label: string, run: () => Promise<Load>) {
  for (let i = 0; i < flags.warmup; i++) await run();
  const loads: Load[] = [];
  for (let i = 0; i < flags.loads; i++) loads.push(await run());
  const ready = summarise(loads.map((l) => l.readyMs));
  const loadEvent = summarise(loads.map((l) => l.loadEventMs));
  log(
    `${label}: ready p50 ${ready.p50Ms} ms, p90 ${ready.p90Ms} ms; load event p50 ${loadEvent.p50Ms} ms; ${loads[0]!.transferBytes} bytes`,
  );
  return { label, ready, loadEvent, transferBytes: loads[0]!.transferBytes, loads };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineFacts();
  const build = ensureConsoleBuilt(log);
  const infra = await startInfra('console', storage);
  let browser: Browser | undefined;
  try {
    const proc = await startApiProcess({ infra: infra.infra, runDir: infra.runDir, name: 'console' });
    infra.cleanups.push(() => proc.stop());
    await createOfferSetup(proc.baseUrl, proc.adminKey); // something on the screens
    const signIn = await fetch(`${proc.baseUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: proc.adminKey }),
    });
    const value = /postflow_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1];
    if (signIn.status !== 201 || !value) throw new Error(`sign-in answered ${signIn.status}`);
    const cookie = { name: 'postflow_session', value };
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
    const b = browser;

    const consolePage = await series('console /ui/ (signed in, to the overview heading)', () =>
      measureLoad(b, `${proc.baseUrl}/ui/`, (page) => page.getByRole('heading', { level: 1 }).first().waitFor(), cookie),
    );
    const signInPage = await series('console sign-in screen', () =>
      measureLoad(b, `${proc.baseUrl}/ui/`, (page) => page.getByLabel('Admin key').waitFor()),
    );
    const docsPage = await series('baseline: API reference /docs (Swagger UI)', () =>
      measureLoad(b, `${proc.baseUrl}/docs`, (page) => page.locator('.opblock').first().waitFor()),
    );
    const ratio = round(consolePage.ready.p50Ms / docsPage.ready.p50Ms, 2);
    const row = (s: Awaited<ReturnType<typeof series>>) => [
      s.label,
      s.ready.p50Ms,
      s.ready.p90Ms,
      s.ready.maxMs,
      s.loadEvent.p50Ms,
      s.transferBytes,
    ];
    const kib = (n: number) => `${round(n / 1024, 1)} KiB`;
    const report = writeReport({
      name: 'console-load',
      title: 'Ops console page load (production build, served by the API process)',
      startedAt,
      command: `npx tsx bench/console-load.ts --storage ${storage} --loads ${flags.loads}`,
      settings: { storage, loads: flags.loads, warmup: flags.warmup },
      headline: {
        columns: ['page', 'ready p50 ms', 'ready p90 ms', 'ready max ms', 'load event p50 ms', 'bytes transferred'],
        rows: [row(consolePage), row(signInPage), row(docsPage)],
      },
      notes: [
        `Console ready p50 / API reference ready p50: **${ratio}**.`,
        `Shipped JavaScript: ${kib(build.js.bytes)} (${kib(build.js.gzipBytes)} gzipped); ` +
          `CSS ${kib(build.css.bytes)} (${kib(build.css.gzipBytes)} gzipped).`,
        'Each load is a fresh browser context: no cache, no service worker. "Ready" is navigation start to the heading (console) ' +
          'or the first operation (reference) on screen, as the test driver saw it.',
      ],
      machine,
      versions: versions(process.env),
      infrastructure: infra.infra.summary,
      details: { build, console: consolePage, signIn: signInPage, docs: docsPage },
    });
    log(`wrote ${report.markdown}`);
  } finally {
    await browser?.close();
    await infra.stop();
  }
}

runMain(main);
