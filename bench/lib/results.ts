import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { anyDetailsSchema, reportSchema, type Report } from './report-schema';

// Overridable so a smoke run (or CI) does not replace the committed latest figures.
export const resultsDir = process.env.POSTFLOW_BENCH_RESULTS_DIR ?? path.resolve(__dirname, '..', 'results');

/**
 * Writes the full JSON (kept per run) and replaces the human-readable latest Markdown, then checks
 * the JSON against the documented shape (`details` against the benchmark's own schema). Both files
 * are written first, so a long run's figures survive a shape error; the error still fails the run.
 */
export function writeReport(report: Report, detailsSchema: z.ZodType = anyDetailsSchema): { json: string; markdown: string } {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = report.startedAt.toISOString().replace(/[:.]/g, '-');
  const json = path.join(resultsDir, `${report.name}-${stamp}.json`);
  const markdown = path.join(resultsDir, `${report.name}-latest.md`);
  const text = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(json, text);
  writeFileSync(markdown, toMarkdown(report, path.basename(json)));
  // Checked as read back: what JSON.stringify wrote (NaN as null, Date as text), not the objects in memory.
  const checked = reportSchema(detailsSchema).safeParse(JSON.parse(text));
  if (!checked.success) throw new Error(`${json} does not have the documented shape:\n${z.prettifyError(checked.error)}`);
  return { json, markdown };
}

function table(columns: string[], rows: Report['headline']['rows']): string {
  const cell = (v: string | number | null) => String(v).replace(/\|/g, '\\|');
  return [
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

function toMarkdown(r: Report, jsonName: string): string {
  const m = r.machine;
  const settings = Object.entries(r.settings)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  return [
    `# ${r.title}`,
    '',
    `Run ${r.startedAt.toISOString()} with \`${r.command}\` (${settings}). Full data: \`${jsonName}\`.`,
    '',
    table(r.headline.columns, r.headline.rows),
    '',
    ...(r.tables ?? []).flatMap((t) => [`**${t.title}**`, '', table(t.columns, t.rows), '']),
    ...r.notes.map((n) => `- ${n}`),
    '',
    '## Machine and versions',
    '',
    table(
      ['', ''],
      [
        ['CPU', `${m.cores} × ${m.cpuModel}`],
        ['memory', `${m.memoryGiB} GiB`],
        ['OS', m.os],
        ['node', m.node],
        ['load average (1 min) at start', m.loadAverage1m],
        ['Temporal CLI', r.versions.temporalCli],
        ['MongoDB', r.versions.mongo],
        ...Object.entries(r.versions.packages).map(([k, v]): [string, string] => [k, v]),
        ...r.infrastructure.map((line, i): [string, string] => [i === 0 ? 'servers' : '', line]),
      ],
    ),
    '',
    'The load generator, the API (and worker), Temporal and MongoDB all run on this one machine and share its cores.',
    '',
  ].join('\n');
}
