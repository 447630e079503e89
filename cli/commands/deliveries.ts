import { Option, type Command } from 'commander';
import { commandContext, type CliIo } from '../context';
import { formatTime, right, table } from '../format';
import { wholeNumber } from '../options';
import { lastAnswer, type DeliveryRow } from './conversion';

/** The statuses GET /api/deliveries filters on (kept equal to deliveryListQuery by a unit test). */
export const deliveryStatuses = ['pending', 'delivering', 'succeeded', 'failed', 'dead_lettered'] as const;

export interface DeliveryListItem extends DeliveryRow {
  conversion_id?: string;
  affiliate_id?: string;
  created_at?: string;
}

export interface DeliveryList {
  data: DeliveryListItem[];
  next_offset: number | null;
}

interface DeliveriesOptions {
  status?: string;
  affiliate?: string;
  endpoint?: string;
  conversion?: string;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

/** CLI options → the API's query parameters. */
export const deliveriesQuery = (o: DeliveriesOptions) => ({
  status: o.status,
  affiliate_id: o.affiliate,
  endpoint_id: o.endpoint,
  conversion_id: o.conversion,
  from: o.from,
  to: o.to,
  limit: o.limit,
  offset: o.offset,
});

export function renderDeliveryList(list: DeliveryList): string {
  if (list.data.length === 0) return 'No deliveries match.';
  const rows = list.data.map((d) => [
    d.id,
    formatTime(d.created_at, { millis: false }),
    d.status,
    d.event,
    d.conversion_id,
    d.affiliate_id,
    right(d.run),
    right(d.attempt_count),
    lastAnswer(d),
  ]);
  const more = list.next_offset !== null ? `\nMore match: add --offset ${list.next_offset}.` : '';
  const header = ['delivery', 'created (UTC)', 'status', 'event', 'conversion', 'affiliate', 'run', 'attempts', 'last answer'];
  return `${table(header, rows)}\n${list.data.length} shown, newest first.${more}`;
}

export function registerDeliveries(program: Command, io: CliIo): void {
  program
    .command('deliveries')
    .description('list affiliate postback deliveries, newest first')
    .addOption(new Option('--status <status>', 'only deliveries in this status').choices(deliveryStatuses))
    .option('--affiliate <id>', 'only this affiliate (aff_…)')
    .option('--endpoint <id>', 'only this postback endpoint (pb_…)')
    .option('--conversion <id>', 'only this conversion (cv_…)')
    .option('--from <date-time>', 'created at or after (ISO 8601, e.g. 2026-11-01T00:00:00Z)')
    .option('--to <date-time>', 'created before (ISO 8601)')
    .option('--limit <n>', 'at most this many (1–500; API default 50)', wholeNumber(1, 500))
    .option('--offset <n>', 'skip this many (paging; the output says the next offset)', wholeNumber(0, 1_000_000))
    .addHelpText(
      'after',
      `
Calls GET /api/deliveries. --json prints its answer: {"data": [...], "next_offset": n | null}.

Examples:
  npx postflow deliveries --status dead_lettered
  npx postflow deliveries --affiliate aff_7b0620a177bac74748f5 --limit 200 --json | jq -r '.data[].id'`,
    )
    .action(async (opts: DeliveriesOptions, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const list = await ctx.api().get<DeliveryList>('/api/deliveries', deliveriesQuery(opts));
      if (ctx.json) return ctx.printJson(list);
      ctx.print(renderDeliveryList(list));
    });
}
