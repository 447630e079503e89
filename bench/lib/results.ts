import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MachineFacts, Versions } from './machine';

// Overridable so a smoke run (or CI) does not replace the committed latest figures.
export const resultsDir = process.env.POSTFLOW_BENCH_RESULTS_DIR ?? path.resolve(__dirname, '..', 'results');

export interface Report {
  /** File-name stem: results/<name>-<timestamp>.json and results/<name>-latest.md. */
  name: string;
  title: string;
  startedAt: Date;
  command: string;
  settings: Record<string, unknown>;
  headline: { columns: string[]; rows: Array<Array<string | number>> };
  /** Further tables under the headline, each with a short heading (e.g. resource use). */
  tables?: Array<{ title: string; columns: string[]; rows: Array<Array<string | number>> }>;
  /** Findings that belong next to the figures (ratios, checks, warnings). */
  notes: string[];
  machine: MachineFacts;
  versions: Versions;
  infrastructure: string[];
  /** Everything measured, for later comparison; the Markdown shows only the headline. */
  details: Record<string, unknown>;
}

/** Writes the full JSON (kept per run) and replaces the human-readable latest Markdown. */
export function writeReport(report: Report): { json: string; markdown: string } {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = report.startedAt.toISOString().replace(/[:.]/g, '-');
  const json = path.join(resultsDir, `${report.name}-${stamp}.json`);
  const markdown = path.join(resultsDir, `${report.name}-latest.md`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, toMarkdown(report, path.basename(json)));
  return { json, markdown };
}

function table(columns: string[], rows: Array<Array<string | number>>): string {
  const cell = (v: string | number) => String(v).replace(/\|/g, '\\|');
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
