import { Option, type Command } from 'commander';
import { trafficbackReasons } from '../../domain/trafficback';
import { commandContext, type CliIo } from '../context';
import { formatTime, table } from '../format';
import { wholeNumber } from '../options';

export interface TrafficbackClick {
  id: string;
  offer_id: string;
  affiliate_id: string;
  created_at: string;
  trafficback: {
    reason: string;
    cap_id?: string;
    sub?: string;
    to: 'offer' | 'url' | 'blank' | 'not_found';
    to_offer_id?: string;
    child_click_id?: string;
    url?: string;
    stopped?: string;
    chain: { offer_id: string; reason: string }[];
  };
}
export interface TrafficbackPage {
  data: TrafficbackClick[];
  next_before: string | null;
}

/** Where the click went, in one cell. */
export function trafficbackDestination(t: TrafficbackClick['trafficback']): string {
  const end =
    t.to === 'offer'
      ? `offer ${t.to_offer_id ?? '?'} (click ${t.child_click_id ?? '?'})`
      : t.to === 'url'
        ? (t.url ?? 'a URL')
        : t.to === 'blank'
          ? 'blank page'
          : '404';
  return t.stopped ? `${end}; chain stopped: ${t.stopped}` : end;
}

export function renderTrafficback(page: TrafficbackPage): string {
  if (page.data.length === 0) return 'No trafficback clicks.';
  const rows = page.data.map((c) => {
    const why = c.trafficback.cap_id
      ? `${c.trafficback.reason} (${c.trafficback.cap_id})`
      : c.trafficback.sub
        ? `${c.trafficback.reason} (${c.trafficback.sub})`
        : c.trafficback.reason;
    const hops =
      c.trafficback.chain.length > 1
        ? ` via ${c.trafficback.chain
            .slice(1)
            .map((h) => `${h.offer_id} ${h.reason}`)
            .join(', ')}`
        : '';
    return [formatTime(c.created_at), c.id, why, c.offer_id, c.affiliate_id, trafficbackDestination(c.trafficback) + hops];
  });
  const more = page.next_before ? `\nOlder: --before ${page.next_before}` : '';
  return table(['time', 'click', 'reason', 'offer asked for', 'affiliate', 'went to'], rows) + more;
}

export function registerTrafficback(program: Command, io: CliIo): void {
  program
    .command('trafficback')
    .description('list clicks not sent to their offer (trafficback), newest first, with the reason and where they went')
    .addOption(new Option('--reason <reason>', 'only this reason').choices(trafficbackReasons))
    .option('--offer <id>', 'only clicks that asked for this offer (off_…)')
    .option('--affiliate <id>', 'only this affiliate (aff_…)')
    .option('--before <click id>', 'older than this click (the output names it for the next page)')
    .option('--limit <n>', 'at most this many (1–200; API default 50)', wholeNumber(1, 200))
    .addHelpText(
      'after',
      `
Calls GET /api/trafficback/clicks. --json prints its answer: {"data": [...], "next_before": id | null}.

Examples:
  npx postflow trafficback --reason cap_reached
  npx postflow trafficback --offer off_7b0620a177bac74748f5 --json | jq -r '.data[].trafficback.reason' | sort | uniq -c`,
    )
    .action(async (opts: { reason?: string; offer?: string; affiliate?: string; before?: string; limit?: number }, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const page = await ctx.api().get<TrafficbackPage>('/api/trafficback/clicks', {
        reason: opts.reason,
        offer_id: opts.offer,
        affiliate_id: opts.affiliate,
        before: opts.before,
        limit: opts.limit,
      });
      if (ctx.json) return ctx.printJson(page);
      ctx.print(renderTrafficback(page));
    });
}
