import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { capacityDetailsSchema, clickDetailsSchema, endToEndDetailsSchema, reportSchema } from '../../bench/lib/report-schema';
import { testEnv } from '../support/test-env';

/**
 * The CI guard that the benchmarks still run: their real entry points, for a few seconds each,
 * against this run's servers, results in a temporary directory. It asserts what a run must always
 * get right (exit 0, zero loss, the result files' documented shape) and never a rate or a latency:
 * those depend on the machine and on what else runs on it.
 */
const root = path.join(__dirname, '..', '..');
// A tiny run takes about 15 s (click) and 35 s (end to end) on a quiet 2-core machine; the headroom is for a busy one.
const BENCH_DEADLINE_MS = 240_000;

let resultsDir: string;
beforeEach(() => {
  resultsDir = mkdtempSync(path.join(os.tmpdir(), 'postflow-bench-guard-'));
});
afterEach(() => rmSync(resultsDir, { recursive: true, force: true }));

/** `npx tsx bench/<script> <args>`, as the README runs it, on the test servers (TEMPORAL_ADDRESS / MONGO_URL). */
function runBench(script: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', script), ...args], {
      cwd: root,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: testEnv('temporalAddress'),
        MONGO_URL: testEnv('mongoUrl'),
        POSTFLOW_BENCH_RESULTS_DIR: resultsDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // SIGINT: the benchmark stops its own children on it (bench/lib/main.ts).
      timeout: BENCH_DEADLINE_MS,
      killSignal: 'SIGINT',
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** The run's one JSON file, read back with the schema the writer used, and its Markdown beside it. */
function readResults<D extends z.ZodType>(name: string, details: D) {
  const files = readdirSync(resultsDir);
  const jsonFiles = files.filter((f) => f.startsWith(`${name}-`) && f.endsWith('.json'));
  expect(jsonFiles).toHaveLength(1);
  expect(files).toContain(`${name}-latest.md`);
  const parsed = reportSchema(details).safeParse(JSON.parse(readFileSync(path.join(resultsDir, jsonFiles[0]!), 'utf8')));
  if (!parsed.success) throw new Error(`${jsonFiles[0]} does not have the documented shape:\n${z.prettifyError(parsed.error)}`);
  const report = parsed.data;
  expect(report.name).toBe(name);

  const markdown = readFileSync(path.join(resultsDir, `${name}-latest.md`), 'utf8');
  expect(markdown.startsWith(`# ${report.title}\n`)).toBe(true);
  expect(markdown).toContain(`Full data: \`${jsonFiles[0]}\``);
  for (const t of [report.headline, ...(report.tables ?? [])]) {
    expect(markdown).toContain(`| ${t.columns.join(' | ')} |`);
    expect(t.rows.length).toBeGreaterThan(0);
  }
  return report;
}

/** Fails with the benchmark's own output, which says which step broke. */
function expectSuccess(run: { code: number | null; output: string }): void {
  if (run.code !== 0) throw new Error(`the benchmark exited with ${String(run.code)}:\n${run.output.slice(-4000)}`);
}

describe('the benchmarks still run (short runs; shape and zero loss, never timings)', () => {
  it(
    'click-redirect: every 302 answered is a stored click',
    async () => {
      const run = await runBench('click-redirect.ts', ['--duration', '2', '--warmup', '1', '--concurrency', '8']);
      expectSuccess(run);

      const report = readResults('click-redirect', clickDetailsSchema);
      expect(report.headline.rows).toHaveLength(3); // postflow, postflow on the capped offer, the bare-Koa baseline
      const { postflow, withChecks, baseline, clicksStored, redirects, appErrors } = report.details;
      expect(redirects).toBeGreaterThan(0);
      expect(clicksStored).toBe(redirects);
      for (const m of [postflow, withChecks, baseline]) expect(Object.keys(m.measured.statusCounts)).toEqual(['302']);
      expect(appErrors.count).toBe(0);
    },
    BENCH_DEADLINE_MS + 20_000,
  );

  it(
    'end-to-end, with its Temporal baselines, at two rates: every accepted conversion delivered, approved and settled',
    async () => {
      const rates = [3, 6];
      const run = await runBench('end-to-end.ts', [
        '--rates',
        rates.join(','),
        '--duration',
        '2',
        '--warmup',
        '1',
        '--drain-timeout',
        '120',
      ]);
      expectSuccess(run);

      const report = readResults('end-to-end', endToEndDetailsSchema);
      expect(report.headline.rows).toHaveLength(rates.length);
      expect(report.details.runs.map((r) => r.rate)).toEqual(rates);
      for (const { postflow, empty, single } of report.details.runs) {
        expect(postflow.accepted).toBeGreaterThan(0);
        expect(postflow.loss).toEqual({ notDelivered: [], notApproved: [], deliveryNotSucceeded: [], zeroLoss: true });
        expect(postflow.rx.delivered).toBe(postflow.accepted);
        for (const b of [empty, single]) {
          expect(b).toBeDefined();
          expect(b!.phase).toMatchObject({ completed: b!.phase.started, unfinished: 0, failed: {} });
          expect(b!.phase.started).toBeGreaterThan(0);
        }
      }
    },
    BENCH_DEADLINE_MS + 20_000,
  );
  it(
    'capacity: climbs the ladder for a baseline and postflow, then measures postflow at half its capacity',
    async () => {
      // A one-rung ladder and a p99 limit no run can miss: the step passes unless something is lost or unfinished.
      const run = await runBench('capacity.ts', [
        '--ladder',
        '2',
        '--duration',
        '2',
        '--warmup',
        '1',
        '--targets',
        'empty,postflow',
        '--p99-limit',
        '600000',
        '--drain-timeout',
        '120',
      ]);
      expectSuccess(run);

      const report = readResults('capacity', capacityDetailsSchema);
      const { capacities, steps, half } = report.details;
      expect(capacities).toEqual({ empty: 2, postflow: 2 });
      expect(steps.empty!.map((s) => [s.rate, s.keptUp])).toEqual([[2, true]]);
      expect(steps.postflow!.map((s) => [s.rate, s.keptUp])).toEqual([[2, true]]);
      expect(half).toMatchObject({ rate: 1 });
      expect(report.tables!.map((t) => t.rows.length)).toEqual([2, 2]); // every step; at capacity and at half
    },
    BENCH_DEADLINE_MS + 20_000,
  );
});
