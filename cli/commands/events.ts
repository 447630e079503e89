import type { Command } from 'commander';
import { commandContext, type CliIo } from '../context';
import { CliError, ExitCode } from '../errors';
import { formatTime, right, table } from '../format';
import { positiveSeconds, segment, wholeNumber } from '../options';

export interface EventItem {
  id: string;
  type: string;
  occurred_at: string;
  schema_version: number;
  data: Record<string, unknown>;
}
export interface EventPage {
  data: EventItem[];
  next: string;
}

/** What an event is about, in one short cell: the ids a reader looks for first. */
export function eventSubject(e: EventItem): string {
  const d = e.data;
  const parts = [d.conversion_id, d.endpoint_id && `endpoint ${String(d.endpoint_id)}`, d.cap_id && `cap ${String(d.cap_id)}`];
  const change = d.from !== undefined && d.to !== undefined ? `${String(d.from)} → ${String(d.to)}` : undefined;
  return [...parts, change].filter(Boolean).join(', ');
}

export const eventLine = (e: EventItem): string => `${formatTime(e.occurred_at)}  ${e.type.padEnd(26)} ${e.id}  ${eventSubject(e)}`;

export interface SubscriptionItem {
  id: string;
  url: string;
  event_types: string[];
  strict_order: boolean;
  active: boolean;
  paused: boolean;
  paused_until: string | null;
  consecutive_failures: number;
  affiliate_id: string | null;
}

export function renderSubscriptions(list: { data: SubscriptionItem[] }): string {
  if (list.data.length === 0) return 'No subscriptions.';
  const state = (s: SubscriptionItem) =>
    !s.active ? 'inactive' : s.paused ? 'paused' : s.paused_until ? `breaker open until ${formatTime(s.paused_until)}` : 'active';
  const rows = list.data.map((s) => [
    s.id,
    state(s),
    s.event_types.join(' '),
    s.strict_order ? 'strict' : '',
    s.affiliate_id ?? '',
    right(s.consecutive_failures),
    s.url,
  ]);
  return table(['subscription', 'state', 'types', 'order', 'scope', 'failures', 'url'], rows);
}

export interface Replayed {
  matched: number;
  started: number;
  in_progress: number;
  truncated: boolean;
  last_sequence: number | null;
  dry_run: boolean;
}

export function renderReplay(r: Replayed): string {
  if (r.dry_run) return `${r.matched} events in the range would be sent again (dry run: nothing sent).`;
  const lines = [`Matched ${r.matched} events; sent ${r.started} again with their original ids.`];
  if (r.in_progress > 0) lines.push(`${r.in_progress} skipped: still being delivered.`);
  if (r.truncated)
    lines.push(`One call replays at most 10,000 events: run it again with --after-sequence ${r.last_sequence} for the rest.`);
  return lines.join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function registerEvents(program: Command, io: CliIo): void {
  program
    .command('events')
    .description('read the event feed from a cursor, oldest first; --follow keeps reading as events are recorded')
    .option('--after <cursor>', 'start after this cursor (a page\'s "next"; 0 or absent: the start of the retained feed)')
    .option('--types <list>', 'only these types or groups, comma-separated (e.g. conversion.*)')
    .option('--limit <n>', 'events per page (1–1000)', wholeNumber(1, 1000), 100)
    .option('--follow', 'keep polling for new events until interrupted (Ctrl-C)')
    .option('--interval <seconds>', 'with --follow: the pause between polls when nothing is new', positiveSeconds, 1)
    .addHelpText(
      'after',
      `
Calls GET /api/events page by page. Each line: when, type, event id (what subscribers dedupe
on), and what it is about. Without --follow it stops at the end and prints the cursor to resume
from; --json prints one event per line (NDJSON), then {"next": cursor}.

Examples:
  npx postflow events --types conversion.status_changed
  npx postflow events --after 1042 --follow`,
    )
    .action(async (opts: { after?: string; types?: string; limit: number; follow?: boolean; interval: number }, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      let after = opts.after ?? '0';
      for (;;) {
        const page = await ctx.api().get<EventPage>('/api/events', { after, types: opts.types, limit: opts.limit });
        for (const e of page.data) io.stdout(`${ctx.json ? JSON.stringify(e) : eventLine(e)}\n`);
        after = page.next;
        if (page.data.length > 0) continue;
        if (!opts.follow) {
          if (ctx.json) ctx.print(JSON.stringify({ next: after }));
          else ctx.print(`(end of the feed; resume with --after ${after})`);
          return;
        }
        await sleep(opts.interval * 1000);
      }
    });

  program
    .command('subscriptions')
    .description('list event subscriptions with their state (active, paused, breaker open) and failures')
    .addHelpText('after', '\nCalls GET /api/subscriptions; --json prints its answer.')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const list = await ctx.api().get<{ data: SubscriptionItem[] }>('/api/subscriptions');
      return ctx.json ? ctx.printJson(list) : ctx.print(renderSubscriptions(list));
    });

  program
    .command('replay')
    .description("send a range of a subscription's events again, with their original ids and sequence numbers")
    .argument('<subscription-id>', 'the subscription (sub_…)')
    .option('--from <date-time>', 'a time range: events that occurred at or after this (ISO 8601)')
    .option('--to <date-time>', 'with --from: and before this (ISO 8601; default now)')
    .option(
      '--after-sequence <n>',
      'a sequence range: the events after this one (the last your receiver processed; 0 for all)',
      wholeNumber(0, Number.MAX_SAFE_INTEGER),
    )
    .option(
      '--through-sequence <n>',
      'with --after-sequence: up to and including this one (default: the newest)',
      wholeNumber(1, Number.MAX_SAFE_INTEGER),
    )
    .option('--dry-run', 'count the events without sending them')
    .addHelpText(
      'after',
      `
Calls POST /api/subscriptions/:id/replay with a time range (--from) or a sequence range
(--after-sequence). --json prints its answer:
{"matched", "started", "in_progress", "truncated", "last_sequence", "dry_run"}.

Examples:
  npx postflow replay sub_0123abcd --from 2026-12-01T00:00:00Z --to 2026-12-02T00:00:00Z
  npx postflow replay sub_0123abcd --after-sequence 1041`,
    )
    .action(
      async (
        id: string,
        opts: { from?: string; to?: string; afterSequence?: number; throughSequence?: number; dryRun?: boolean },
        cmd: Command,
      ) => {
        const ctx = commandContext(cmd, io);
        if ((opts.from === undefined) === (opts.afterSequence === undefined))
          throw new CliError(ExitCode.usage, 'give --from (a time range) or --after-sequence (a sequence range), one of them');
        if (opts.from !== undefined && Number.isNaN(Date.parse(opts.from)))
          throw new CliError(ExitCode.usage, `--from: "${opts.from}" is not an ISO 8601 date-time`);
        const result = await ctx.api().post<Replayed>(`/api/subscriptions/${segment(id, 'the subscription id')}/replay`, {
          ...(opts.from !== undefined ? { from: opts.from } : {}),
          ...(opts.to ? { to: opts.to } : {}),
          ...(opts.afterSequence !== undefined ? { after_sequence: opts.afterSequence } : {}),
          ...(opts.throughSequence !== undefined ? { through_sequence: opts.throughSequence } : {}),
          ...(opts.dryRun ? { dry_run: true } : {}),
        });
        return ctx.json ? ctx.printJson(result) : ctx.print(renderReplay(result));
      },
    );
}
