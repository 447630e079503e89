import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Report } from '../../bench/lib/report-schema';
import type { writeReport as WriteReport } from '../../bench/lib/results';

// resultsDir is read when bench/lib/results.ts loads, so the module is loaded (beforeAll) after the variable is set.
const dir = mkdtempSync(path.join(os.tmpdir(), 'postflow-bench-results-'));
process.env.POSTFLOW_BENCH_RESULTS_DIR = dir;
let writeReport: typeof WriteReport;
beforeAll(async () => {
  ({ writeReport } = await import('../../bench/lib/results'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const report = (name: string, over: Partial<Report> = {}): Report => ({
  name,
  title: 'A test run',
  startedAt: new Date('2026-11-30T12:00:00.000Z'),
  command: 'npx tsx bench/x.ts',
  settings: { duration_s: 1 },
  headline: { columns: ['target', 'p50 ms'], rows: [['postflow', Number.NaN]] },
  notes: [],
  machine: { cores: 2, cpuModel: 'cpu', memoryGiB: 4, node: 'v20', os: 'Linux', loadAverage1m: 0.5 },
  versions: { temporalCli: 'x', mongo: 'y', packages: {} },
  infrastructure: [],
  details: { stored: 3 },
  ...over,
});

describe('writeReport checks what it wrote against the documented shape', () => {
  it('accepts a figure the run could not compute (NaN, written as null)', () => {
    const { json } = writeReport(report('fine'), z.looseObject({ stored: z.number() }));
    expect(JSON.parse(readFileSync(json, 'utf8')).headline.rows).toEqual([['postflow', null]]);
  });

  it('fails on a shape error, after writing both files so a long run keeps its figures', () => {
    expect(() => writeReport(report('bad-details'), z.looseObject({ clicksStored: z.number() }))).toThrow(/details\.clicksStored/);
    expect(() => writeReport(report('short-row', { headline: { columns: ['a', 'b'], rows: [['only a']] } }))).toThrow(
      /one cell per column/,
    );
    expect(readdirSync(dir).filter((f) => f.startsWith('bad-details-'))).toHaveLength(2);
  });
});
