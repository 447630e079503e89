import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { useTestStack } from './preamble';
import { TEST_ADMIN_KEY, type Settings, type TestStack } from './stack';

/**
 * Browser tests of the console (test/browser): Playwright drives Debian's Chromium (its own
 * browser download cannot reach its host here), headless, against the real system of
 * useTestStack served on a real port. CHROMIUM_PATH names another browser binary.
 */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((c): c is string => Boolean(c));
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new Error(
      `no Chromium found (tried ${candidates.join(', ')}): ` +
        "install Debian's package (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH",
    );
  return found;
}

export const screenshotDir = path.join(__dirname, '..', '..', 'docs', 'screenshots');

export interface ConsoleHarness {
  stack: TestStack;
  f: ReturnType<typeof useTestStack>['f'];
  /** http://127.0.0.1:<port>, where the app listens. */
  baseUrl: string;
  browser: Browser;
  /** A new browser context and page (its own cookies) at 1280×800 unless given another size. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** A new page signed in through the sign-in screen, on `path` (default /ui/). */
  signedInPage(path?: string, viewport?: { width: number; height: number }): Promise<Page>;
}

/** The preamble of a browser test file: a test stack on a real port and one browser (the global setup built the console). */
export function useConsole(prefix: string, settings: Settings = {}): ConsoleHarness {
  const { stack, f } = useTestStack(prefix, settings);
  const harness = { stack, f } as ConsoleHarness;
  let server: Server | undefined;
  beforeAll(async () => {
    server = createServer(stack.app.callback());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    harness.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    harness.browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
    harness.newPage = async (viewport = { width: 1280, height: 800 }) => {
      // A fixed zone and locale, so dates on screen do not depend on the machine.
      const context = await harness.browser.newContext({ viewport, timezoneId: 'UTC', locale: 'en-US', baseURL: harness.baseUrl });
      return context.newPage();
    };
    harness.signedInPage = async (to = '/ui/', viewport) => {
      const page = await harness.newPage(viewport);
      await page.goto(to);
      await page.getByLabel('Admin key').fill(TEST_ADMIN_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      return page;
    };
  }, 120_000);
  afterAll(async () => {
    await harness.browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });
  return harness;
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (id, impact, the elements). */
export async function seriousA11yViolations(page: Page): Promise<{ id: string; impact: string; targets: string[] }[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: unknown[] }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return (result.violations as { id: string; impact: string; nodes: { target: string[] }[] }[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.flatMap((n) => n.target) }));
}

/**
 * The README's screenshots (docs/screenshots), small PNGs taken by the browser tests, written
 * only when POSTFLOW_SCREENSHOTS=1 (`npm run ui:screenshots`), so a test run leaves the tree alone.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.POSTFLOW_SCREENSHOTS !== '1') return;
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: false });
}
