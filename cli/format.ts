import Table from 'cli-table3';

export type Cell = string | number | null | undefined | { content: string; hAlign: 'left' | 'right' };

/** A right-aligned cell, for counts and amounts. */
export const right = (value: string | number | null | undefined): Cell => ({
  content: value === null || value === undefined ? '' : String(value),
  hAlign: 'right',
});

/**
 * No colours: output is read in terminals and grepped in scripts alike, and cli-table3 would
 * otherwise paint the header red. Compact: no rule between rows, so a timeline fits a screen.
 */
const style = { head: [], border: [], compact: true };

/** A bordered table with a header row. */
/**
 * A table with a header row. `widths` caps columns (null: as wide as their text); text in a
 * capped column wraps at word boundaries, so a column of sentences keeps the table within a terminal.
 */
export function table(head: string[], rows: Cell[][], opts: { widths?: (number | null)[] } = {}): string {
  const t = new Table({ head, style, ...(opts.widths ? { colWidths: opts.widths, wordWrap: true } : {}) });
  for (const row of rows) t.push(row.map((c) => (c === null || c === undefined ? '' : c)));
  return t.toString();
}

/** Label/value pairs as a two-column table without a header; empty values are left out. */
export function fields(pairs: [string, string | number | null | undefined][]): string {
  const t = new Table({ style });
  for (const [label, value] of pairs) if (value !== null && value !== undefined && value !== '') t.push({ [label]: String(value) });
  return t.toString();
}

/** `2026-11-25T10:00:00.123Z` → `2026-11-25 10:00:00.123` (UTC; the column header says so). */
export function formatTime(iso: unknown, { millis = true } = {}): string {
  if (typeof iso !== 'string') return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString().replace('T', ' ').replace('Z', '');
  return millis ? text : text.slice(0, 19);
}

/** 850 → "850 ms", 1250 → "1.25 s", 125000 → "2 m 05 s", up to days; for step durations. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${trim((abs / 1000).toFixed(2))} s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const s = Math.floor(abs / 1000);
  if (s < 3600) return `${sign}${Math.floor(s / 60)} m ${pad(s % 60)} s`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} m`;
  return `${sign}${Math.floor(s / 86_400)} d ${pad(Math.floor((s % 86_400) / 3600))} h`;
}

const trim = (fixed: string) => (fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed);

/** Time since the first entry, with a sign: "+0 ms", "+1.25 s", "+3 d 02 h". */
export function formatElapsed(ms: number | null | undefined): string {
  const text = formatDuration(ms);
  return text && !text.startsWith('-') ? `+${text}` : text;
}

/** 0.0583 → "5.83 %"; null (no clicks) → "–". */
export function formatRate(rate: unknown): string {
  if (typeof rate !== 'number' || !Number.isFinite(rate)) return '–';
  return `${trim((rate * 100).toFixed(2))} %`;
}

/** Pretty JSON for --json: stable, indented, one trailing newline added by the caller's writer. */
export const toJson = (value: unknown): string => JSON.stringify(value, null, 2);
