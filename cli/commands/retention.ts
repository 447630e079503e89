import type { Command } from 'commander';
import { commandContext, type CliIo } from '../context';
import { fields, formatTime, right, table } from '../format';

export interface RetentionState {
  schedule: {
    id: string;
    paused: boolean;
    note: string | null;
    next_runs: string[];
    recent_runs: { scheduled_at: string; started_at: string; workflow_id: string }[];
    running: number;
  } | null;
  policy: {
    rules: { rule: string; collection: string; age: string; variable: string | null; days: number | null; guard: string | null }[];
    reversal_window_days: number;
    batch_size: number;
  } | null;
  last_run: {
    started_at: string;
    finished_at: string;
    deleted: number;
    rules: { rule: string; collection: string; cutoff: string | null; deleted: number; skipped?: string }[];
  } | null;
}

const keptFor = (r: { variable: string | null; days: number | null }) =>
  r.variable === null ? 'until its expiry' : r.days === null ? 'forever' : `${r.days} d`;

export function renderRetention(state: RetentionState): string {
  const parts: string[] = [];
  const s = state.schedule;
  parts.push(
    s
      ? fields([
          ['schedule', `${s.id}${s.paused ? ' (paused)' : ''}`],
          ['setting', s.note],
          ['next run (UTC)', formatTime(s.next_runs[0], { millis: false }) || 'none'],
          ['running now', s.running],
        ])
      : 'No retention schedule yet: the worker creates it when it starts.',
  );
  if (state.policy)
    parts.push(
      'Policy',
      table(
        ['rule', 'collection', 'age field', 'kept', 'variable', 'also kept'],
        state.policy.rules.map((r) => [r.rule, r.collection, r.age, keptFor(r), r.variable ?? '', r.guard ?? '']),
        // The guards are sentences: wrapped, the table stays within about 160 columns.
        { widths: [null, null, null, null, null, 50] },
      ),
    );
  const run = state.last_run;
  if (!run) parts.push('No sweep has finished yet.');
  else
    parts.push(
      `Last sweep: ${formatTime(run.started_at)} → ${formatTime(run.finished_at)} UTC, ${run.deleted} deleted`,
      table(
        ['rule', 'cutoff (UTC)', 'deleted'],
        run.rules.map((r) => [
          r.rule,
          r.skipped ? `skipped: ${r.skipped}` : formatTime(r.cutoff, { millis: false }) || 'kept forever',
          right(r.deleted),
        ]),
      ),
    );
  return parts.join('\n');
}

export function registerRetention(program: Command, io: CliIo): void {
  program
    .command('retention')
    .description('the data retention policy, its Temporal Schedule and the last sweep; --run-now starts a sweep')
    .option('--run-now', 'trigger the schedule: a sweep starts at once (unless one is running)')
    .addHelpText(
      'after',
      `
Calls GET /api/retention (and first POST /api/retention/run with --run-now). The policy is set by the
worker's RETENTION_* variables (README "Data retention"). --json prints GET /api/retention's answer.

Examples:
  npx postflow retention
  npx postflow retention --run-now
  npx postflow retention --json | jq '.last_run.rules[] | select(.deleted > 0)'`,
    )
    .action(async (opts: { runNow?: boolean }, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const api = ctx.api();
      if (opts.runNow) {
        const started = await api.post<{ schedule_id: string }>('/api/retention/run');
        if (!ctx.json) ctx.print(`Sweep started by schedule ${started.schedule_id}; run this command again to see its result.`);
      }
      const state = await api.get<RetentionState>('/api/retention');
      if (ctx.json) return ctx.printJson(state);
      ctx.print(renderRetention(state));
    });
}
