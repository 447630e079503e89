import type { Command } from 'commander';
import { commandContext, type CliIo } from '../context';
import { CliError, ExitCode } from '../errors';
import { segment } from '../options';

/** The filter keys of the bulk route's body; with `all`, its keys (kept equal to bulkRedeliverySchema by a unit test). */
export const bulkFilterKeys = ['affiliate_id', 'endpoint_id', 'status', 'from', 'to', 'error_class'] as const;
// dry_run and expected_count are the console's preview-then-confirm; the CLI sends the filter at once.
export const bulkBodyKeys = [...bulkFilterKeys, 'all', 'dry_run', 'expected_count'] as const;
type BulkFilterKey = (typeof bulkFilterKeys)[number];

/** The spellings `postflow deliveries` uses for the same filters. */
const aliases: Record<string, BulkFilterKey> = { affiliate: 'affiliate_id', endpoint: 'endpoint_id' };

/**
 * `status=dead_lettered,affiliate_id=aff_1` → the body of POST /api/deliveries/redeliver. Values
 * are checked by the API (it names a wrong one); keys here, so a typo never widens the filter.
 */
export function parseFilter(text: string): Partial<Record<BulkFilterKey, string>> {
  const filter: Partial<Record<BulkFilterKey, string>> = {};
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) {
    throw new CliError(ExitCode.usage, '--filter needs at least one key=value, e.g. status=dead_lettered for every dead-lettered delivery');
  }
  for (const part of parts) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    const key = (bulkFilterKeys as readonly string[]).includes(name) ? (name as BulkFilterKey) : aliases[name];
    if (!key) throw new CliError(ExitCode.usage, `--filter: unknown key "${name}"; allowed: ${bulkFilterKeys.join(', ')}`);
    if (!value) throw new CliError(ExitCode.usage, `--filter: "${name}" needs a value (${name}=…)`);
    if (filter[key] !== undefined) throw new CliError(ExitCode.usage, `--filter: "${key}" is given twice`);
    filter[key] = value;
  }
  return filter;
}

export interface SingleRedelivery {
  id: string;
  run: number;
  status: string;
}

export interface BulkRedelivery {
  matched: number;
  started: number;
  truncated: boolean;
}

export function renderBulk(result: BulkRedelivery, filter: Record<string, string>): string {
  const what = Object.entries({ status: 'dead_lettered', ...filter })
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const lines = [`Matched ${result.matched} deliveries (${what}); started ${result.started} redeliveries.`];
  if (result.started < result.matched)
    lines.push(`${result.matched - result.started} skipped: already being delivered again, or just ended.`);
  if (result.truncated) lines.push('One call redelivers at most the first 10,000 matches: run the same command again for the rest.');
  return lines.join('\n');
}

export function registerRedeliver(program: Command, io: CliIo): void {
  program
    .command('redeliver')
    .description('deliver a failed or dead-lettered postback again (same event id), or every delivery a filter matches')
    .argument('[delivery-id]', 'one delivery to redeliver')
    .option('--all', 'redeliver every dead-lettered delivery (with --filter status=failed: every failed one)')
    .option(
      '--filter <key=value,…>',
      `redeliver every match instead; keys ${bulkFilterKeys.join(', ')} ` +
        '(status: dead_lettered, the default, or failed; from/to: ISO 8601 creation time)',
    )
    .addHelpText(
      'after',
      `
Calls POST /api/deliveries/:id/redeliver, or POST /api/deliveries/redeliver with the filter as
its body; --all sends "all": true (the API refuses a bulk redelivery with neither).
--json prints the answer: {"id", "run", "status"} or {"matched", "started", "truncated"}.

Examples:
  npx postflow redeliver dl_5dbba65e3db06b8b6e4039e5
  npx postflow redeliver --filter status=dead_lettered,affiliate_id=aff_7b0620a177bac74748f5
  npx postflow redeliver --filter status=failed,from=2026-11-24T00:00:00Z
  npx postflow redeliver --all`,
    )
    .action(async (id: string | undefined, opts: { filter?: string; all?: boolean }, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const bulk = opts.filter !== undefined || opts.all === true;
      if (id !== undefined && bulk) throw new CliError(ExitCode.usage, 'give a delivery id or --filter/--all, not both');
      if (id === undefined && !bulk)
        throw new CliError(
          ExitCode.usage,
          'give a delivery id, or --filter to redeliver every match (e.g. --filter status=dead_lettered), or --all',
        );
      if (id !== undefined) {
        const result = await ctx.api().post<SingleRedelivery>(`/api/deliveries/${segment(id, 'the delivery id')}/redeliver`);
        return ctx.json
          ? ctx.printJson(result)
          : ctx.print(`Redelivery of ${result.id} started: run ${result.run}, status ${result.status}.`);
      }
      const filter = opts.filter === undefined ? {} : parseFilter(opts.filter);
      const result = await ctx.api().post<BulkRedelivery>('/api/deliveries/redeliver', { ...filter, ...(opts.all ? { all: true } : {}) });
      return ctx.json ? ctx.printJson(result) : ctx.print(renderBulk(result, filter));
    });
}
