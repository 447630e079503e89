/**
 * Reports at scale. Two databases on the bench's MongoDB:
 * 1. **roll-ups**: the buckets a year of traffic leaves behind (by default 10 million conversions
 *    and 20× as many clicks, over offers × affiliates × goals with a skewed share each), generated
 *    straight into the roll-up collections with the code the steps use (domain/rollup.ts); then the
 *    typical reports are asked through GET /api/reports and timed.
 * 2. **raw vs roll-ups**: a smaller data set written as raw rows (clicks, conversions, ledger
 *    entries), the roll-ups built from them by the backfill (rollups/rebuild.ts), and each report
 *    asked both ways: the answers must be equal, to the cent, and both are timed.
 * Run: npx tsx bench/reports.ts [--conversions 10000000] [--raw-conversions 100000]
 */
import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { errorHandler } from '../api/errors';
import { mountRoutes } from '../api/route';
import { reportRoutes } from '../api/routes/reports';
import { bucketUpdates, clicked, conversionCreated, ledgerBooked, statusMoved, type RollupDelta, type RollupKey } from '../domain/rollup';
import type { LifecycleStatus } from '../domain/status';
import type { Models } from '../models';
import { rebuildRollups } from '../rollups/rebuild';
import { openStore, type Store } from '../system/store';
import { parseFlags } from './lib/args';
import { log } from './lib/log';
import { machineFacts, versions } from './lib/machine';
import { runMain } from './lib/main';
import { writeReport } from './lib/results';
import { benchStorage, startInfra, storageFlag } from './lib/stack';
import { round } from './lib/stats';
import { seededRandom } from './lib/seeded-random';

const flags = parseFlags('npx tsx bench/reports.ts [flags]', {
  conversions: { help: 'conversions the generated roll-ups stand for', default: 10_000_000 },
  'clicks-per-conversion': { help: 'clicks generated per conversion', default: 20 },
  days: { help: 'days of traffic, ending at the start of today (UTC)', default: 365 },
  offers: { help: 'offers', default: 25 },
  affiliates: { help: 'affiliates', default: 100 },
  'offers-per-affiliate': { help: 'offers each affiliate runs', default: 4 },
  'raw-conversions': { help: 'conversions written as raw rows for the raw-vs-roll-up comparison', default: 100_000 },
  'raw-days': { help: 'days the raw rows span', default: 60 },
  repeat: { help: 'times each report is asked (the median is shown)', default: 3 },
  storage: storageFlag,
});

const DAY = 86_400_000;
const HOUR = 3_600_000;
const STATUSES: [LifecycleStatus, number][] = [
  ['approved', 0.62],
  ['pending', 0.12],
  ['held', 0.03],
  ['declined', 0.08],
  ['reversed', 0.05],
  ['rejected', 0.09],
  ['processing', 0.01],
];

interface Traffic {
  /** (offer, affiliate, goal) with its currency and a Zipf share of the conversions. */
  keys: { offer: string; affiliate: string; goal: string; currency: string; payout: number; revenue: number }[];
  cumulative: number[];
  pick(rnd: () => number): Traffic['keys'][number];
  status(rnd: () => number): LifecycleStatus;
}

function traffic(rnd: () => number): Traffic {
  const currencies = ['USD', 'EUR', 'USD', 'GBP', 'JPY'];
  const offers = Array.from({ length: flags.offers }, (_, i) => ({
    id: `off_${i}`,
    currency: currencies[i % currencies.length]!,
    goals: i % 3 === 0 ? ['sale', 'lead', 'install'] : i % 3 === 1 ? ['sale', 'lead'] : ['sale'],
  }));
  const keys: Traffic['keys'] = [];
  for (let a = 0; a < flags.affiliates; a++) {
    for (let k = 0; k < flags['offers-per-affiliate']; k++) {
      const offer = offers[Math.floor(rnd() * offers.length)]!;
      for (const goal of offer.goals) {
        const unit = offer.currency === 'JPY' ? 1 : 100;
        const payout = (goal === 'sale' ? 20 + Math.floor(rnd() * 80) : 1 + Math.floor(rnd() * 5)) * unit + Math.floor(rnd() * unit);
        keys.push({ offer: offer.id, affiliate: `aff_${a}`, goal, currency: offer.currency, payout, revenue: Math.round(payout * 1.4) });
      }
    }
  }
  // A skewed network: the key at rank r gets a share ∝ 1/(r+1).
  const cumulative: number[] = [];
  let sum = 0;
  keys.forEach((_, r) => cumulative.push((sum += 1 / (r + 1))));
  const pick = (r: () => number) => {
    const x = r() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return keys[lo]!;
  };
  const status = (r: () => number) => {
    let x = r();
    for (const [s, p] of STATUSES) if ((x -= p) < 0) return s;
    return 'approved';
  };
  return { keys, cumulative, pick, status };
}

/** The deltas one conversion leaves in the roll-ups, as the steps would add them (and its ledger lines, if wanted). */
function conversionDeltas(key: Traffic['keys'][number], at: Date, status: LifecycleStatus, rnd: () => number): RollupDelta[] {
  const k: RollupKey = { offer_id: key.offer, affiliate_id: key.affiliate, goal: key.goal, currency: key.currency };
  const out = [conversionCreated(at, k), statusMoved(at, k, 'processing', status)];
  const book = (when: Date, sign: number) =>
    out.push(
      ledgerBooked({ created_at: when, account: 'affiliate_payable', amount_minor: sign * key.payout, key: k }),
      ledgerBooked({ created_at: when, account: 'advertiser_receivable', amount_minor: sign * key.revenue, key: k }),
    );
  if (status === 'approved' || status === 'reversed') book(at, 1);
  if (status === 'reversed') book(new Date(at.getTime() + Math.floor(rnd() * 20 * DAY)), -1);
  return out;
}

/** Folds deltas into whole bucket documents in memory, as the rebuild does, and writes them a month at a time. */
class BucketWriter {
  private buckets = new Map<string, Record<string, unknown>>();
  written = 0;
  constructor(private models: Models) {}

  add(deltas: RollupDelta[]): void {
    for (const u of bucketUpdates(deltas)) {
      let doc = this.buckets.get(u._id);
      if (!doc) this.buckets.set(u._id, (doc = { _id: u._id, ...u.fields }));
      for (const [path, n] of Object.entries(u.inc)) {
        const parts = path.split('.');
        let node = doc;
        for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
        const leaf = parts[parts.length - 1]!;
        node[leaf] = ((node[leaf] as number | undefined) ?? 0) + n;
      }
    }
  }

  /** Writes every bucket of a month before `month` (reversals land up to 20 days later, so a month is done once the next one is). */
  async flushBefore(month: string): Promise<void> {
    const done = [...this.buckets.values()].filter((d) => (d.month as string) < month);
    for (let i = 0; i < done.length; i += 2_000) {
      await this.models.Rollup.collection.insertMany(done.slice(i, i + 2_000) as never[], { ordered: false });
    }
    for (const d of done) this.buckets.delete(d._id as string);
    this.written += done.length;
  }
}

async function reportServer(models: Models) {
  const app = new Koa().use(errorHandler((line: string) => process.stderr.write(`${line}\n`))).use(mountRoutes(reportRoutes({ models })));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    async ask(query: Record<string, string>): Promise<{ ms: number; body: Record<string, unknown> & { rows: unknown[]; source: string } }> {
      const started = performance.now();
      const res = await fetch(`${base}/api/reports?${new URLSearchParams(query)}`);
      const body = (await res.json()) as Record<string, unknown> & { rows: unknown[]; source: string };
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`report ${JSON.stringify(query)}: ${res.status} ${JSON.stringify(body)}`);
      return { ms, body };
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function typicalReports(end: number, days: number): [string, Record<string, string>][] {
  const back = (n: number) => isoDay(end - Math.min(n, days) * DAY);
  return [
    ['30 days by day (UTC)', { group_by: 'day', from: back(30), to: isoDay(end) }],
    ['30 days by day in Europe/Berlin', { group_by: 'day', from: back(30), to: isoDay(end), timezone: 'Europe/Berlin' }],
    ['7 days by day, offer, affiliate', { group_by: 'day,offer,affiliate', from: back(7), to: isoDay(end) }],
    [`${Math.min(days, 365)} days by offer (UTC)`, { group_by: 'offer', from: back(365), to: isoDay(end) }],
    [
      `${Math.min(days, 365)} days by affiliate, goal in America/New_York`,
      { group_by: 'affiliate,goal', from: back(365), to: isoDay(end), timezone: 'America/New_York' },
    ],
    [
      `${Math.min(days, 90)} days by day, offer in Asia/Tokyo`,
      { group_by: 'day,offer', from: back(90), to: isoDay(end), timezone: 'Asia/Tokyo' },
    ],
  ];
}

async function rollupsAtScale(store: Store, end: number) {
  const rnd = seededRandom(7);
  const t = traffic(rnd);
  const writer = new BucketWriter(store.models);
  const start = end - flags.days * DAY;
  const hours = flags.days * 24;
  const perHour = flags.conversions / hours;
  const started = Date.now();
  let conversions = 0;
  let clicks = 0;
  let month = new Date(start).toISOString().slice(0, 7);
  for (let h = 0; h < hours; h++) {
    const hourStart = start + h * HOUR;
    const thisMonth = new Date(hourStart).toISOString().slice(0, 7);
    if (thisMonth !== month) {
      await writer.flushBefore(thisMonth);
      log(`  generated up to ${thisMonth}: ${conversions.toLocaleString('en')} conversions, ${writer.written} buckets written`);
      month = thisMonth;
    }
    const n = Math.floor(perHour * (h + 1)) - Math.floor(perHour * h);
    const clicksByPair = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = t.pick(rnd);
      writer.add(conversionDeltas(key, new Date(hourStart + Math.floor(rnd() * HOUR)), t.status(rnd), rnd));
      const pair = `${key.offer}|${key.affiliate}`;
      clicksByPair.set(pair, (clicksByPair.get(pair) ?? 0) + flags['clicks-per-conversion']);
    }
    conversions += n;
    // A pair's clicks as one delta per hour: the same buckets as one delta per click.
    for (const [pair, count] of clicksByPair) {
      const [offer, affiliate] = pair.split('|') as [string, string];
      const click = clicked(new Date(hourStart), offer, affiliate);
      writer.add([{ ...click, counts: { clicks: count } }]);
      clicks += count;
    }
  }
  await writer.flushBefore('9999');
  const generateS = (Date.now() - started) / 1000;
  log(
    `roll-ups: ${conversions.toLocaleString('en')} conversions, ${clicks.toLocaleString('en')} clicks → ` +
      `${writer.written} buckets in ${generateS.toFixed(0)} s`,
  );

  const server = await reportServer(store.models);
  try {
    const rows: (string | number)[][] = [];
    for (const [name, query] of typicalReports(end, flags.days)) {
      const times: number[] = [];
      let answer: Awaited<ReturnType<typeof server.ask>> | undefined;
      for (let i = 0; i < flags.repeat; i++) times.push((answer = await server.ask(query)).ms);
      const total = (answer!.body.totals as { conversions: { total: number } }[]).reduce((s, x) => s + x.conversions.total, 0);
      log(
        `  ${name}: median ${median(times).toFixed(0)} ms (${times.map((x) => x.toFixed(0)).join(', ')}), ` +
          `${answer!.body.rows.length} rows, ${total} conversions, from ${answer!.body.source}`,
      );
      rows.push([name, round(median(times), 0), round(Math.max(...times), 0), answer!.body.rows.length, total, answer!.body.source]);
    }
    return {
      conversions,
      clicks,
      buckets: writer.written,
      keys: t.keys.length,
      generateS,
      rows,
    };
  } finally {
    await server.close();
  }
}

async function rawVersusRollups(store: Store, end: number) {
  const rnd = seededRandom(11);
  const t = traffic(rnd);
  const start = end - flags['raw-days'] * DAY;
  const { models } = store;
  const started = Date.now();
  let clicks: Record<string, unknown>[] = [];
  let conversions: Record<string, unknown>[] = [];
  let entries: Record<string, unknown>[] = [];
  const counts = { clicks: 0, conversions: 0, entries: 0 };
  const flush = async () => {
    if (clicks.length) await models.Click.collection.insertMany(clicks as never[], { ordered: false });
    if (conversions.length) await models.Conversion.collection.insertMany(conversions as never[], { ordered: false });
    if (entries.length) await models.LedgerEntry.collection.insertMany(entries as never[], { ordered: false });
    counts.clicks += clicks.length;
    counts.conversions += conversions.length;
    counts.entries += entries.length;
    clicks = [];
    conversions = [];
    entries = [];
  };
  const clicksPerConversion = Math.min(flags['clicks-per-conversion'], 3); // raw clicks are the bulk of the rows
  for (let i = 0; i < flags['raw-conversions']; i++) {
    const key = t.pick(rnd);
    const at = start + Math.floor(rnd() * (end - start - 25 * DAY));
    const status = t.status(rnd);
    const id = `cv_${i}`;
    for (let c = 0; c < clicksPerConversion; c++) {
      clicks.push({
        _id: `clk_${i}_${c}`,
        offer_id: key.offer,
        affiliate_id: key.affiliate,
        advertiser_id: 'adv',
        created_at: new Date(at - c * 600_000),
      });
    }
    const book = (seq: number, when: Date, sign: number, from: string, to: string) => {
      for (const account of ['affiliate_payable', 'advertiser_receivable']) {
        entries.push({
          _id: `${id}:${seq}:${account}`,
          conversion_id: id,
          seq,
          account,
          affiliate_id: key.affiliate,
          advertiser_id: 'adv',
          offer_id: key.offer,
          amount_minor: sign * (account === 'affiliate_payable' ? key.payout : key.revenue),
          currency: key.currency,
          status_from: from,
          status_to: to,
          created_at: when,
        });
      }
    };
    let seq = status === 'processing' ? -1 : 0;
    if (status === 'approved' || status === 'reversed') book(0, new Date(at + 1000), 1, 'processing', 'approved');
    if (status === 'reversed') book((seq = 1), new Date(at + Math.floor(rnd() * 20 * DAY)), -1, 'approved', 'reversed');
    conversions.push({
      _id: id,
      dedupe_key: `k_${id}`,
      workflow_id: `conversion-${id}`,
      advertiser_id: 'adv',
      offer_id: key.offer,
      affiliate_id: key.affiliate,
      click_id: `clk_${i}_0`,
      goal: key.goal,
      currency: key.currency,
      status,
      status_seq: seq,
      rollup_created: true,
      received_at: new Date(at),
      updated_at: new Date(at),
    });
    if (clicks.length >= 5_000) await flush();
  }
  await flush();
  const rows = counts.clicks + counts.conversions + counts.entries;
  log(
    `raw rows: ${counts.clicks} clicks, ${counts.conversions} conversions, ${counts.entries} ledger entries ` +
      `written in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  const rebuildStarted = Date.now();
  await rebuildRollups(models, (p) => log(`  rebuilt ${p.month}: ${p.buckets} buckets`));
  const rebuildS = (Date.now() - rebuildStarted) / 1000;
  log(`rebuild: ${rows} rows in ${rebuildS.toFixed(1)} s (${Math.round(rows / rebuildS)} rows/s)`);

  const server = await reportServer(models);
  try {
    const table: (string | number)[][] = [];
    let allEqual = true;
    for (const [name, query] of typicalReports(end, flags['raw-days'])) {
      const rolled = await server.ask(query);
      const raw = await server.ask({ ...query, source: 'raw' });
      const equal = JSON.stringify({ ...rolled.body, source: '' }) === JSON.stringify({ ...raw.body, source: '' });
      allEqual &&= equal;
      log(`  ${name}: roll-ups ${rolled.ms.toFixed(0)} ms, raw ${raw.ms.toFixed(0)} ms, ${equal ? 'equal' : 'DIFFERENT'}`);
      table.push([name, round(rolled.ms, 0), round(raw.ms, 0), rolled.body.rows.length, equal ? 'yes' : 'NO']);
    }
    return { counts, rows, rebuildS, table, allEqual };
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const env = await startInfra('reports', benchStorage(flags.storage));
  try {
    const end = Date.UTC(startedAt.getUTCFullYear(), startedAt.getUTCMonth(), startedAt.getUTCDate());
    const open = async (what: string) => {
      const store = await openStore(`${env.infra.mongoUrl}/bench_reports_${what}_${randomBytes(4).toString('hex')}`);
      env.cleanups.push(async () => {
        await store.connection.dropDatabase();
        await store.close();
      });
      return store;
    };
    log(`roll-ups for ${flags.conversions.toLocaleString('en')} conversions over ${flags.days} days`);
    const scaleStore = await open('rollups');
    const scale = await rollupsAtScale(scaleStore, end);
    // Gone before the raw rows go in: mongo-java-server holds both in one heap, and its GC pauses outlast the driver's heartbeat.
    await scaleStore.connection.dropDatabase();
    log(`raw rows for ${flags['raw-conversions'].toLocaleString('en')} conversions over ${flags['raw-days']} days`);
    const check = await rawVersusRollups(await open('raw'), end);
    const slowest = Math.max(...scale.rows.map((r) => r[1] as number));
    const notes = [
      `Roll-ups for ${scale.conversions.toLocaleString('en')} conversions and ${scale.clicks.toLocaleString('en')} clicks ` +
        `over ${flags.days} days ` +
        `(${scale.keys} offer × affiliate × goal keys, Zipf shares): ${scale.buckets.toLocaleString('en')} buckets ` +
        `(one per month and key), generated in ${scale.generateS.toFixed(0)} s. Slowest typical report: ` +
        `**${slowest} ms** (median of ${flags.repeat}).`,
      `Raw vs roll-ups on ${check.rows.toLocaleString('en')} raw rows (${check.counts.conversions.toLocaleString('en')} conversions, ` +
        `${check.counts.entries.toLocaleString('en')} ledger entries, ${check.counts.clicks.toLocaleString('en')} clicks): ` +
        `${check.allEqual ? 'every report **equal**, to the cent' : '**some reports differ**'}; the backfill built the roll-ups at ` +
        `${Math.round(check.rows / check.rebuildS).toLocaleString('en')} rows/s.`,
    ];
    const { json, markdown } = writeReport({
      name: 'reports',
      title: 'Reports from the roll-ups at scale, and against the raw rows',
      startedAt,
      command: `npx tsx bench/reports.ts ${process.argv.slice(2).join(' ')}`.trim(),
      settings: flags,
      headline: { columns: ['report (roll-ups)', 'median ms', 'max ms', 'rows', 'conversions', 'source'], rows: scale.rows },
      tables: [
        { title: 'Raw rows vs roll-ups (same data)', columns: ['report', 'roll-ups ms', 'raw ms', 'rows', 'equal'], rows: check.table },
      ],
      notes,
      machine: machineFacts(),
      versions: versions(process.env),
      infrastructure: env.infra.summary,
      details: { scale, check },
    });
    process.stdout.write(`${notes.join('\n')}\nwrote ${json}\nwrote ${markdown}\n`);
    if (!check.allEqual) throw new Error('a report from the roll-ups differs from the raw rows');
  } finally {
    await env.stop();
  }
}

if (require.main === module) runMain(main);
