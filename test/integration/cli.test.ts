import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/infra/child';
import { startReceiver, type Receiver } from '../support/receiver';
import { useTestStack } from '../support/preamble';
import { TEST_ADMIN_KEY } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * The real CLI (`node bin/postflow.js`, as `npx postflow` runs it) as a child process against
 * the real API on a port. Async spawn only: the API answers from this process's event loop.
 */
const bin = path.join(__dirname, '..', '..', 'bin', 'postflow.js');

const { stack, f } = useTestStack('cli');
let receiver: Receiver;
let server: Server;
let apiUrl: string;
/** A directory with no .postflow/admin-api-key above it, so the key comes only from what a test gives. */
let cwd: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function postflow(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    POSTFLOW_URL: apiUrl,
    POSTFLOW_ADMIN_KEY: TEST_ADMIN_KEY,
    ADMIN_API_KEY: undefined,
    DATA_DIR: undefined,
    ...env,
  };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: childEnv as NodeJS.ProcessEnv, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Succeeds with JSON on stdout, or fails the test showing what the CLI printed. */
async function postflowJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await postflow([...args, '--json']);
  if (r.code !== 0) throw new Error(`postflow ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

beforeAll(async () => {
  receiver = await startReceiver();
  server = stack.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cwd = mkdtempSync(path.join(tmpdir(), 'postflow-cli-it-'));
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await receiver?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

const goals = [
  {
    key: 'sale',
    payout: { type: 'fixed', amount: '5.25' },
    revenue: { type: 'fixed', amount: '8.00' },
    allow_multiple: true,
  },
];

/** Two conversions whose postback the affiliate refuses until dead-lettered (4 fast attempts in tests). */
async function deadLettered() {
  const s = await f.setup({ goals });
  const endpoint = await f.admin('post', `/api/affiliates/${s.affiliate.id}/postbacks`).send({ url: `${receiver.url}/pb?e={event_id}` });
  expect(endpoint.status).toBe(201);
  receiver.otherwise({ status: 503 });
  const convert = async (txid: string) => {
    const res = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, txid });
    expect(res.status).toBe(200);
    return res.body.conversion_id as string;
  };
  const conversions = [await convert('1'), await convert('2')];
  const deliveries = [];
  for (const id of conversions) {
    const [d] = await waitFor(`a dead-lettered delivery of ${id}`, async () => {
      const docs = await stack.models.Delivery.find({ conversion_id: id }).lean();
      return docs.length === 1 && docs[0]!.status === 'dead_lettered' ? docs : undefined;
    });
    deliveries.push(d!._id);
  }
  return { ...s, conversions, deliveries };
}

const deliveryStatus = (id: string) =>
  stack.models.Delivery.findById(id)
    .lean()
    .then((d) => d?.status);

describe('postflow CLI against the real API', () => {
  let s: Awaited<ReturnType<typeof deadLettered>>;
  beforeAll(async () => {
    s = await deadLettered();
  });

  it('health: ready, as a table and as JSON', async () => {
    const table = await postflow(['health']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`${apiUrl}: ready`);
    expect(table.stdout).toMatch(/mongodb\s+│ ok/);
    expect(await postflowJson(['health'])).toEqual({ status: 'ready', checks: { mongodb: 'ok', temporal: 'ok' } });
  });

  it('deliveries: filters by status, affiliate and conversion; JSON and table name the same ids', async () => {
    const list = await postflowJson<{
      data: { id: string; conversion_id: string; status: string }[];
      next_offset: number | null;
    }>(['deliveries', '--status', 'dead_lettered', '--affiliate', s.affiliate.id]);
    expect(list.data.map((d) => d.id).sort()).toEqual([...s.deliveries].sort());
    expect(list.data.every((d) => d.status === 'dead_lettered')).toBe(true);

    const one = await postflowJson<typeof list>(['deliveries', '--conversion', s.conversions[0]!, '--limit', '1']);
    expect(one.data.map((d) => [d.id, d.conversion_id])).toEqual([[s.deliveries[0], s.conversions[0]]]);

    const table = await postflow(['deliveries', '--affiliate', s.affiliate.id, '--limit', '1']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('dead_lettered');
    expect(table.stdout).toMatch(/│ 503 +│/); // the last answer the affiliate gave
    expect(table.stdout).toContain('--offset 1'); // two match, one shown
    expect(s.deliveries.some((id) => table.stdout.includes(id))).toBe(true);
  });

  it('conversion: summary, deliveries and the timeline from the workflow history, with the Temporal UI link', async () => {
    const cv = s.conversions[0]!;
    const json = await postflowJson<{
      conversion: { id: string; deliveries: { id: string }[] };
      history: {
        conversion_id: string;
        workflow_id: string;
        temporal_ui_url: string;
        entries: { kind: string; title: string }[];
      };
    }>(['conversion', cv]);
    expect(json.conversion.id).toBe(cv);
    expect(json.conversion.deliveries.map((d) => d.id)).toEqual([s.deliveries[0]]);
    expect(json.history).toMatchObject({ conversion_id: cv, workflow_id: `conversion-${cv}` });
    expect(json.history.entries.length).toBeGreaterThan(0);
    expect(json.history.entries.some((e) => e.kind === 'delivery_attempt')).toBe(true);

    const table = await postflow(['conversion', cv]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(cv);
    expect(table.stdout).toContain(s.offer.id);
    expect(table.stdout).toContain(s.deliveries[0]!);
    expect(table.stdout).toContain(`Timeline (${json.history.entries.length} entries)`);
    expect(table.stdout).toContain(json.history.entries[0]!.title);
    expect(table.stdout).toContain(`Temporal UI: ${json.history.temporal_ui_url}`);
  });

  it('report: grouped by day and offer, the rows of the offer count its conversions', async () => {
    // Three days around now, so a run across midnight UTC still sees both conversions.
    const date = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    const args = ['report', '--group-by', 'day,offer', '--from', date(-1), '--to', date(2), '--timezone', 'UTC'];
    const report = await postflowJson<{
      group_by: string[];
      rows: { offer_id: string; day: string; conversions: { total: number } }[];
    }>(args);
    expect(report.group_by).toEqual(['day', 'offer']);
    const rows = report.rows.filter((r) => r.offer_id === s.offer.id);
    expect(rows.reduce((n, r) => n + r.conversions.total, 0)).toBe(2);

    const table = await postflow(args);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Report by day, offer');
    expect(table.stdout).toContain(s.offer.id);
    for (const r of rows) expect(table.stdout).toContain(r.day);
  });

  it('redeliver: one delivery by id, then the rest by filter, and they are delivered', async () => {
    receiver.otherwise({ status: 200 });
    const one = await postflow(['redeliver', s.deliveries[0]!]);
    expect([one.code, one.stdout]).toEqual([0, `Redelivery of ${s.deliveries[0]} started: run 1, status pending.\n`]);
    await waitFor('the first delivery to succeed', async () => (await deliveryStatus(s.deliveries[0]!)) === 'succeeded');
    expect(await deliveryStatus(s.deliveries[1]!)).toBe('dead_lettered');

    const bulk = await postflowJson<{ matched: number; started: number; truncated: boolean }>([
      'redeliver',
      '--filter',
      `status=dead_lettered,affiliate_id=${s.affiliate.id}`,
    ]);
    expect(bulk).toEqual({ matched: 1, started: 1, truncated: false });
    await waitFor('the second delivery to succeed', async () => (await deliveryStatus(s.deliveries[1]!)) === 'succeeded');

    const again = await postflow(['redeliver', '--filter', `affiliate=${s.affiliate.id}`]);
    expect([again.code, again.stdout]).toEqual([
      0,
      `Matched 0 deliveries (status=dead_lettered, affiliate_id=${s.affiliate.id}); started 0 redeliveries.\n`,
    ]);
  });
});

describe('postflow CLI errors', () => {
  it('an unknown conversion: exit 5, the API error on stderr, nothing on stdout', async () => {
    const r = await postflow(['conversion', 'cv_doesnotexist', '--json']);
    expect([r.code, r.stdout]).toEqual([5, '']);
    expect(r.stderr).toContain('404 not_found: no conversion with id "cv_doesnotexist"');
  });

  it('an invalid filter value: exit 5 with the field the API names', async () => {
    const r = await postflow(['deliveries', '--from', 'yesterday']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('400 invalid_request');
    expect(r.stderr).toContain('from: must be an ISO 8601 date-time');
    const report = await postflow(['report', '--group-by', 'day,country']);
    expect(report.code).toBe(5);
    expect(report.stderr).toMatch(/group_by: .*country/);
  });

  it('a wrong key: exit 5, saying where the key came from', async () => {
    const r = await postflow(['deliveries', '--key', 'wrong-key-0123456789']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('401 unauthorized');
    expect(r.stderr).toContain('The key came from --key');
  });

  it('no key: exit 3 and how to provide one; health needs none', async () => {
    const r = await postflow(['deliveries'], { POSTFLOW_ADMIN_KEY: undefined });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('POSTFLOW_ADMIN_KEY');
    expect((await postflow(['health'], { POSTFLOW_ADMIN_KEY: undefined })).code).toBe(0);
  });

  it('an API that is not there: exit 4 naming the URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await postflow(['deliveries', '--url', url]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`could not reach the postflow API at ${url}`);
    expect(r.stderr).toContain('ECONNREFUSED');
  });

  it('a usage error: exit 2 with the reason, before any request', async () => {
    const r = await postflow(['redeliver', '--filter', 'affiliate_idd=aff_1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown key "affiliate_idd"');
  });
});

describe('events and subscriptions', () => {
  it('events pages the feed to its end and says where to resume; subscriptions lists; replay re-sends a range', async () => {
    const s = await f.setup();
    const sub = await f.admin('post', '/api/subscriptions').send({
      url: `${receiver.url}/cli-events`,
      event_types: ['conversion.created'],
      filter: { offer_id: s.offer.id },
    });
    expect(sub.status).toBe(201);
    const from = new Date().toISOString();
    const id = await f.convert(s);
    await waitFor('the event at the receiver', async () =>
      receiver.requests.some((r) => r.url === '/cli-events' && JSON.parse(r.body).data.conversion_id === id) ? true : undefined,
    );

    // Human output: one line per event with its id and what it is about, then the cursor.
    const text = await postflow(['events', '--types', 'conversion.*', '--limit', '3']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`conversion\\.created\\s+evt_[0-9a-f]{24}\\s+${id}`));
    expect(text.stdout).toMatch(/\(end of the feed; resume with --after \d+\)/);
    // --json: NDJSON events, then the cursor; resuming from it finds nothing new.
    const json = await postflow(['events', '--types', 'conversion.created', '--json']);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: string; type?: string; next?: string });
    const { next } = lines.at(-1)!;
    expect(lines.slice(0, -1).every((e) => e.type === 'conversion.created')).toBe(true);
    const again = await postflow(['events', '--after', next!, '--json']);
    expect(JSON.parse(again.stdout.trim())).toEqual({ next });

    const list = await postflow(['subscriptions']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(sub.body.id);
    expect(list.stdout).toContain('conversion.created');

    const dry = await postflowJson(['replay', sub.body.id, '--from', from, '--dry-run']);
    expect(dry).toMatchObject({ matched: 1, started: 0, dry_run: true });
    const replayed = await postflow(['replay', sub.body.id, '--from', from]);
    expect(replayed.stdout).toContain('Matched 1 events; sent 1 again with their original ids.');
    await waitFor('the replayed event', async () =>
      receiver.requests.filter((r) => r.url === '/cli-events' && JSON.parse(r.body).data.conversion_id === id).length === 2
        ? true
        : undefined,
    );
    const bad = await postflow(['replay', sub.body.id, '--from', 'yesterday']);
    expect(bad.code).toBe(2);
    // By sequence number: the one event is number 1.
    const bySequence = await postflowJson(['replay', sub.body.id, '--after-sequence', '0', '--through-sequence', '1', '--dry-run']);
    expect(bySequence).toMatchObject({ matched: 1, last_sequence: 1, dry_run: true });
    const neither = await postflow(['replay', sub.body.id]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('--after-sequence');
  });
});

describe('trafficback', () => {
  it('lists trafficback clicks with the reason and where they went; filters by reason; pages with --before', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const fallback = await f.offer(adv.id);
    const offer = await f.offer(adv.id, { trafficback: { target: { type: 'offer', offer_id: fallback.id } } });
    await f.admin('delete', `/api/offers/${offer.id}`).expect(200);
    for (let i = 0; i < 3; i++) expect((await f.http().get('/click').query({ offer_id: offer.id, aff_id: aff.id })).status).toBe(302);

    const page = await postflowJson<{ data: { id: string; trafficback: { reason: string; to_offer_id: string } }[]; next_before: string }>([
      'trafficback',
      '--offer',
      offer.id,
      '--reason',
      'offer_paused',
      '--limit',
      '2',
    ]);
    expect(page.data.map((c) => [c.trafficback.reason, c.trafficback.to_offer_id])).toEqual([
      ['offer_paused', fallback.id],
      ['offer_paused', fallback.id],
    ]);
    const table = await postflow(['trafficback', '--offer', offer.id, '--before', page.next_before]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('offer_paused');
    expect(table.stdout).toContain(`offer ${fallback.id} (click clk_`);
    expect(table.stdout).not.toContain(page.data[0]!.id);
    const bad = await postflow(['trafficback', '--reason', 'bored']);
    expect(bad.code).toBe(2);
  });
});
