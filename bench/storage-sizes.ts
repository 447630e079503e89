/**
 * What postflow stores per conversion: runs a realistic flow through the real system (clicks
 * through /click, a pending postback, the advertiser's approving postback, the affiliate's
 * postback delivered, one event subscription receiving the events) and measures, per collection,
 * the documents there are per conversion and their average BSON size (BSON.calculateObjectSize of
 * every document: mongo-java-server has no collStats). docs/retention.md holds the table it printed.
 * Sizes are the documents' own; a real MongoDB adds its indexes and compresses on disk (WiredTiger).
 * Run: npx tsx bench/storage-sizes.ts [--conversions 200] [--clicks-per-conversion 2]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mongo } from 'mongoose';
import { retentionRules } from '../retention/policy';
import { adminOverHttp, clickOverHttp } from '../system/seed';
import { createOfferSetup, createPostbackEndpoint } from './lib/admin';
import { parseFlags } from './lib/args';
import { log } from './lib/log';
import { runMain } from './lib/main';
import { startBenchStack } from './lib/stack';

const flags = parseFlags('npx tsx bench/storage-sizes.ts [flags]', {
  conversions: { help: 'conversions to run through the whole flow', default: 200, min: 1 },
  'clicks-per-conversion': { help: 'clicks made per conversion (clicks are measured per click too)', default: 2, min: 1 },
  timeout: { help: 'seconds to wait for the flow to settle', default: 180 },
});

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

runMain(async () => {
  const n = flags.conversions;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const stack = await startBenchStack({ name: 'storage', worker: true, storage: 'memory' });
  try {
    const { baseUrl, adminKey, models } = stack;
    const setup = await createOfferSetup(baseUrl, adminKey);
    // Pending until the advertiser approves (the common CPA flow): two postbacks per conversion.
    await fetch(`${baseUrl}/api/offers/${setup.offerId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        goals: [
          {
            key: 'sale',
            payout: { type: 'percent', amount: '10' },
            revenue: { type: 'percent', amount: '15' },
            default_status: 'pending',
          },
        ],
        fraud: { min_seconds_to_convert: 0 },
      }),
    }).then(async (r) => {
      if (r.status !== 200) throw new Error(`PATCH offer: ${r.status} ${await r.text()}`);
    });
    await createPostbackEndpoint(baseUrl, adminKey, setup.affiliateId, `${receiverUrl}/pb?cid={click_id}&payout={payout}&status={status}`);
    await adminOverHttp(baseUrl, adminKey)('/api/subscriptions', { url: `${receiverUrl}/crm`, event_types: ['conversion.*'] });

    log(`making ${n * flags['clicks-per-conversion']} clicks and ${n} conversions (pending, then approved)`);
    for (let i = 0; i < n; i++) {
      const clicks: string[] = [];
      for (let c = 0; c < flags['clicks-per-conversion']; c++)
        clicks.push(await clickOverHttp(baseUrl, setup.offerId, setup.affiliateId, { sub1: `banner-${i % 7}`, sub2: `site-${i % 13}` }));
      const query = new URLSearchParams({ click_id: clicks[0]!, txid: `order-${i}`, amount: '120.00', token: setup.token });
      const res = await fetch(`${baseUrl}/postback?${query}`);
      if (res.status !== 200) throw new Error(`postback: ${res.status} ${await res.text()}`);
    }
    await until(
      'every conversion pending',
      async () => (await models.Conversion.countDocuments({ status: 'pending' })) === n,
      flags.timeout * 1000,
    );
    for (let i = 0; i < n; i++) {
      const clickId = (await models.Conversion.findOne({ txid: `order-${i}` }, { click_id: 1 }).lean<{ click_id: string }>())!.click_id;
      const query = new URLSearchParams({ click_id: clickId, txid: `order-${i}`, status: 'approved', token: setup.token });
      const res = await fetch(`${baseUrl}/postback?${query}`);
      if (res.status !== 200) throw new Error(`status postback: ${res.status} ${await res.text()}`);
    }
    const settled = async () => {
      const [approved, delivered, subscriptionPending] = await Promise.all([
        models.Conversion.countDocuments({ status: 'approved' }),
        models.Delivery.countDocuments({ status: 'succeeded' }),
        models.SubscriptionDelivery.countDocuments({ status: { $nin: ['succeeded', 'failed', 'dead_lettered'] } }),
      ]);
      const events = await models.Event.countDocuments({ type: /^conversion\./ });
      const subscriptionDone = await models.SubscriptionDelivery.countDocuments({ status: 'succeeded' });
      return approved === n && delivered === n && subscriptionPending === 0 && subscriptionDone === events;
    };
    await until('approvals, postbacks and subscription deliveries to settle', settled, flags.timeout * 1000);
    // The ingress log is written in the background, batched.
    await until('the ingress log rows', async () => (await models.IngressLogEntry.countDocuments({})) >= 2 * n, 30_000);

    const db = stack.mongo.db!;
    const collections = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    const rows: { collection: string; docs: number; avg: number; perConversion: number }[] = [];
    for (const name of collections) {
      const docs = await db.collection(name).find({}).toArray();
      if (docs.length === 0) continue;
      const bytes = docs.reduce((sum, d) => sum + mongo.BSON.calculateObjectSize(d), 0);
      rows.push({ collection: name, docs: docs.length, avg: Math.round(bytes / docs.length), perConversion: docs.length / n });
    }
    const swept = new Map<string, string[]>();
    for (const r of retentionRules) swept.set(r.collection, [...(swept.get(r.collection) ?? []), r.rule]);
    const gb = (bytes: number) => (bytes / 1e9).toFixed(bytes >= 1e9 ? 1 : 2);
    const lines = [
      `Measured with \`npx tsx bench/storage-sizes.ts --conversions ${n} --clicks-per-conversion ${flags['clicks-per-conversion']}\``,
      '',
      '| collection | docs per conversion | avg BSON bytes | per 1 M conversions | swept by |',
      '|---|---:|---:|---:|---|',
      ...rows.map(
        (r) =>
          `| \`${r.collection}\` | ${r.perConversion.toFixed(2)} | ${r.avg} | ${gb(r.perConversion * r.avg * 1e6)} GB | ` +
          `${swept.get(r.collection)?.join(', ') ?? 'kept'} |`,
      ),
    ];
    const total = rows.reduce((sum, r) => sum + r.perConversion * r.avg, 0);
    lines.push('', `Total: ${Math.round(total)} bytes per conversion, ${gb(total * 1e6)} GB per million conversions (documents only).`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await stack.stop();
    receiver.close();
  }
});
