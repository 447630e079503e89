import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bulkBodyKeys, parseFilter } from '../../cli/commands/redeliver';
import { deliveryStatuses } from '../../cli/commands/deliveries';
import { run } from '../../cli/program';
import { resolveKey, resolveUrl } from '../../cli/settings';
import { bulkRedeliverySchema, deliveryListQuery } from '../../api/schemas/delivery';

interface Sent {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Runs the CLI in-process with a recording fetch that answers `reply`; these tests are about
 * what a command line turns into (the integration test runs the real CLI against the real API).
 */
type Reply = { status: number; body: unknown } | ((url: URL, init: RequestInit) => Promise<Response>);

async function cli(argv: string[], opts: { env?: Record<string, string>; cwd?: string; reply?: Reply } = {}) {
  const sent: Sent[] = [];
  let stdout = '';
  let stderr = '';
  const reply = opts.reply ?? { status: 200, body: { data: [], next_offset: null } };
  const fakeFetch = (async (input: URL, init: RequestInit) => {
    const url = new URL(input);
    sent.push({
      method: init.method!,
      url,
      headers: init.headers as Record<string, string>,
      body: init.body ? JSON.parse(init.body as string) : undefined,
    });
    if (typeof reply === 'function') return reply(url, init);
    return new Response(JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  }) as typeof fetch;
  const code = await run(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { POSTFLOW_ADMIN_KEY: 'key-from-env-0123456789', ...opts.env },
    cwd: opts.cwd ?? tmpdir(),
    fetch: fakeFetch,
  });
  return { code, stdout, stderr, sent };
}

describe('cli arguments → API requests', () => {
  it('deliveries: options become the list query, with the key as a bearer token', async () => {
    const r = await cli([
      'deliveries',
      '--status',
      'dead_lettered',
      '--affiliate',
      'aff_1',
      '--conversion',
      'cv_1',
      '--endpoint',
      'pe_1',
      '--limit',
      '200',
      '--offset',
      '50',
      '--from',
      '2026-11-01T00:00:00Z',
    ]);
    expect(r.code).toBe(0);
    expect(r.sent).toHaveLength(1);
    expect(r.sent[0]!.method).toBe('GET');
    expect(r.sent[0]!.url.origin + r.sent[0]!.url.pathname).toBe('http://localhost:3000/api/deliveries');
    expect(Object.fromEntries(r.sent[0]!.url.searchParams)).toEqual({
      status: 'dead_lettered',
      affiliate_id: 'aff_1',
      conversion_id: 'cv_1',
      endpoint_id: 'pe_1',
      limit: '200',
      offset: '50',
      from: '2026-11-01T00:00:00Z',
    });
    expect(r.sent[0]!.headers.authorization).toBe('Bearer key-from-env-0123456789');
    expect(r.stdout).toBe('No deliveries match.\n');
  });

  it('global options work before or after the command; --url and --key override the environment', async () => {
    for (const argv of [
      ['--json', '--url', 'http://api.test:8080/', '--key', 'flag-key', 'deliveries'],
      ['deliveries', '--json', '--url', 'http://api.test:8080/', '--key', 'flag-key'],
    ]) {
      const r = await cli(argv, { env: { POSTFLOW_URL: 'http://ignored:1' } });
      expect(r.code).toBe(0);
      expect(r.sent[0]!.url.href).toBe('http://api.test:8080/api/deliveries');
      expect(r.sent[0]!.headers.authorization).toBe('Bearer flag-key');
      expect(JSON.parse(r.stdout)).toEqual({ data: [], next_offset: null });
    }
    const fromEnv = await cli(['deliveries'], { env: { POSTFLOW_URL: 'https://ops.example/postflow' } });
    expect(fromEnv.sent[0]!.url.href).toBe('https://ops.example/postflow/api/deliveries');
  });

  it('redeliver: one id, or --filter as the bulk body (aliases accepted); never both, never neither', async () => {
    const one = await cli(['redeliver', 'dlv_1'], {
      reply: { status: 202, body: { id: 'dlv_1', run: 2, status: 'pending' } },
    });
    expect([one.code, one.sent[0]!.method, one.sent[0]!.url.pathname, one.sent[0]!.body]).toEqual([
      0,
      'POST',
      '/api/deliveries/dlv_1/redeliver',
      {},
    ]);
    expect(one.stdout).toBe('Redelivery of dlv_1 started: run 2, status pending.\n');

    const bulk = await cli(['redeliver', '--filter', 'status=dead_lettered, affiliate=aff_1,to=2026-12-01T00:00:00Z'], {
      reply: { status: 202, body: { matched: 3, started: 3, truncated: false } },
    });
    expect(bulk.code).toBe(0);
    expect(bulk.sent[0]!.url.pathname).toBe('/api/deliveries/redeliver');
    expect(bulk.sent[0]!.body).toEqual({ status: 'dead_lettered', affiliate_id: 'aff_1', to: '2026-12-01T00:00:00Z' });
    expect(bulk.sent[0]!.headers['content-type']).toBe('application/json');

    for (const argv of [['redeliver'], ['redeliver', 'dlv_1', '--filter', 'status=failed']]) {
      const r = await cli(argv);
      expect([r.code, r.sent.length]).toEqual([2, 0]);
    }
  });

  it('--filter refuses unknown, empty and repeated keys before anything is sent', () => {
    expect(parseFilter('affiliate_id=aff_1,endpoint=pe_1,from=2026-11-01T00:00:00Z')).toEqual({
      affiliate_id: 'aff_1',
      endpoint_id: 'pe_1',
      from: '2026-11-01T00:00:00Z',
    });
    expect(() => parseFilter('')).toThrow(/at least one key=value/);
    expect(() => parseFilter('affiliate_idd=aff_1')).toThrow(
      /unknown key "affiliate_idd"; allowed: affiliate_id, endpoint_id, status, from, to/,
    );
    expect(() => parseFilter('status=')).toThrow(/"status" needs a value/);
    expect(() => parseFilter('status')).toThrow(/"status" needs a value/);
    expect(() => parseFilter('affiliate=aff_1,affiliate_id=aff_2')).toThrow(/"affiliate_id" is given twice/);
  });

  it('report: group-by (default day), dates and time zone become the query', async () => {
    const body = { group_by: ['day'], rows: [], totals: [] };
    const r = await cli(
      ['report', '--group-by', 'day,offer', '--from', '2026-11-01', '--to', '2026-12-01', '--timezone', 'Europe/Berlin'],
      { reply: { status: 200, body } },
    );
    expect(r.code).toBe(0);
    expect(r.sent[0]!.url.pathname).toBe('/api/reports');
    expect(Object.fromEntries(r.sent[0]!.url.searchParams)).toEqual({
      group_by: 'day,offer',
      from: '2026-11-01',
      to: '2026-12-01',
      timezone: 'Europe/Berlin',
    });
    const plain = await cli(['report'], { reply: { status: 200, body } });
    expect(Object.fromEntries(plain.sent[0]!.url.searchParams)).toEqual({ group_by: 'day' });
  });

  it('conversion: asks for the summary and the history, and --json prints both', async () => {
    const r = await cli(['conversion', 'cv_1', '--json'], { reply: { status: 200, body: { id: 'cv_1' } } });
    expect(r.code).toBe(0);
    expect(r.sent.map((s) => s.url.pathname).sort()).toEqual(['/api/conversions/cv_1', '/api/conversions/cv_1/history']);
    expect(JSON.parse(r.stdout)).toEqual({ conversion: { id: 'cv_1' }, history: { id: 'cv_1' } });
  });

  it('usage errors exit 2 and send nothing', async () => {
    for (const argv of [
      ['deliveries', '--limit', '0'],
      ['deliveries', '--limit', '1.5'],
      ['deliveries', '--status', 'lost'],
      ['conversion'],
      ['conversion', ' '],
      ['redeliver', ''],
      ['nope'],
      ['deliveries', '--bogus'],
      ['--timeout', '0', 'health'],
      ['health', '--url', 'localhost:3000'],
    ]) {
      const r = await cli(argv);
      expect({ argv, code: r.code, sent: r.sent.length }).toEqual({ argv, code: 2, sent: 0 });
      expect(r.stderr).not.toBe('');
    }
  });

  it('--help works on every command and exits 0', async () => {
    for (const command of ['conversion', 'deliveries', 'redeliver', 'report', 'health']) {
      const r = await cli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: postflow ${command}`);
      expect(r.stdout).toContain('--json');
    }
    const top = await cli(['--help']);
    expect(top.stdout).toContain('Exit codes:');
  });

  it('an API error goes to stderr with its code and message and exits 5 (4xx) or 6 (5xx); stdout stays empty', async () => {
    const missing = await cli(['redeliver', 'dlv_x'], {
      reply: { status: 404, body: { error: 'not_found', message: 'no delivery with id "dlv_x"' } },
    });
    expect([missing.code, missing.stdout]).toEqual([5, '']);
    expect(missing.stderr).toBe('postflow: POST /api/deliveries/dlv_x/redeliver → 404 not_found: no delivery with id "dlv_x"\n');
    const down = await cli(['deliveries', '--json'], {
      reply: { status: 500, body: { error: 'internal', message: 'internal error; the request was not processed' } },
    });
    expect([down.code, down.stdout]).toEqual([6, '']);
    const wrongKey = await cli(['deliveries'], {
      reply: { status: 401, body: { error: 'unauthorized', message: 'missing or wrong admin key' } },
    });
    expect(wrongKey.code).toBe(5);
    expect(wrongKey.stderr).toContain('The key came from POSTFLOW_ADMIN_KEY');
  });

  const timelineFailsAlone =
    'conversion: when only the timeline fails, the table still shows the summary and the exit code says it failed; --json prints nothing';
  it(timelineFailsAlone, async () => {
    const reply = async (url: URL) =>
      url.pathname.endsWith('/history')
        ? Response.json({ error: 'internal', message: 'internal error; the request was not processed' }, { status: 500 })
        : Response.json({ id: 'cv_1', status: 'approved', offer_id: 'off_1' });
    const table = await cli(['conversion', 'cv_1'], { reply });
    expect(table.code).toBe(6);
    expect(table.stdout).toContain('off_1');
    expect(table.stderr).toBe(
      'postflow: GET /api/conversions/cv_1/history → 500 internal: internal error; the request was not processed\n',
    );
    const json = await cli(['conversion', 'cv_1', '--json'], { reply });
    expect([json.code, json.stdout]).toEqual([6, '']);
  });

  it("an answer that is not postflow's JSON, or none in time, exits 4 naming the URL", async () => {
    const html = await cli(['deliveries', '--url', 'http://proxy.test'], {
      reply: async () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }),
    });
    expect(html.code).toBe(4);
    expect(html.stderr).toContain(
      "GET /api/deliveries at http://proxy.test → 502 text/html, not postflow's JSON: <html>Bad gateway</html>",
    );
    const hang = (_url: URL, init: RequestInit) =>
      new Promise<Response>((_, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)));
    const slow = await cli(['redeliver', '--filter', 'status=failed', '--timeout', '0.05'], { reply: hang });
    expect(slow.code).toBe(4);
    expect(slow.stderr).toBe(
      'postflow: the postflow API at http://localhost:3000 did not answer within 0.05 s (--timeout). ' +
        'The request may still be carried out by the API.\n',
    );
  });

  it('health needs no key, and exits 6 naming what is down when the API is not ready', async () => {
    const r = await cli(['health'], {
      env: { POSTFLOW_ADMIN_KEY: '' },
      reply: {
        status: 503,
        body: { status: 'unavailable', checks: { mongodb: 'ok', temporal: 'unavailable: no answer' } },
      },
    });
    expect(r.code).toBe(6);
    expect(r.sent[0]!.headers.authorization).toBeUndefined();
    expect(r.stdout).toContain('temporal');
    expect(r.stderr).toBe('postflow: not ready: temporal\n');
  });
});

describe('cli settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'postflow-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the development key file from a subdirectory of the checkout, and honours DATA_DIR', () => {
    mkdirSync(path.join(dir, '.postflow'));
    writeFileSync(path.join(dir, '.postflow', 'admin-api-key'), 'pf_admin_fromfile\n');
    mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    expect(resolveKey(undefined, {}, path.join(dir, 'a', 'b'))).toEqual({
      value: 'pf_admin_fromfile',
      source: path.join(dir, '.postflow', 'admin-api-key'),
    });
    expect(resolveKey(undefined, { POSTFLOW_ADMIN_KEY: 'env', ADMIN_API_KEY: 'api' }, dir)).toEqual({
      value: 'env',
      source: 'POSTFLOW_ADMIN_KEY',
    });
    expect(resolveKey(undefined, { ADMIN_API_KEY: 'api' }, dir)).toEqual({ value: 'api', source: 'ADMIN_API_KEY' });
    expect(resolveKey('flag', { POSTFLOW_ADMIN_KEY: 'env' }, dir)).toEqual({ value: 'flag', source: '--key' });
    expect(resolveKey(undefined, { DATA_DIR: path.join(dir, 'elsewhere') }, dir)).toBeUndefined();
    mkdirSync(path.join(dir, 'data'));
    writeFileSync(path.join(dir, 'data', 'admin-api-key'), 'pf_admin_data\n');
    expect(resolveKey(undefined, { DATA_DIR: 'data' }, path.join(dir, 'a'))?.value).toBe('pf_admin_data');
  });

  it('a missing key exits 3 with how to provide it, before any request', async () => {
    const r = await cli(['deliveries'], { env: { POSTFLOW_ADMIN_KEY: '' }, cwd: dir });
    expect([r.code, r.sent.length]).toEqual([3, 0]);
    expect(r.stderr).toContain('POSTFLOW_ADMIN_KEY');
    expect(r.stderr).toContain('--key');
    expect(r.stderr).toContain('.postflow/admin-api-key');
  });

  it('an unreadable key file stops admin commands with exit 3 naming it, not health', async () => {
    mkdirSync(path.join(dir, '.postflow', 'admin-api-key'), { recursive: true }); // a directory: reading it fails
    const env = { POSTFLOW_ADMIN_KEY: '' };
    const admin = await cli(['deliveries'], { env, cwd: dir });
    expect([admin.code, admin.sent.length]).toEqual([3, 0]);
    expect(admin.stderr).toContain(`the admin key file ${path.join(dir, '.postflow', 'admin-api-key')} could not be read`);
    const health = await cli(['health'], {
      env,
      cwd: dir,
      reply: { status: 200, body: { status: 'ready', checks: { mongodb: 'ok' } } },
    });
    expect(health.code).toBe(0);
  });

  it('accepts only http(s) URLs and drops a trailing slash', () => {
    expect(resolveUrl(undefined, {})).toBe('http://localhost:3000');
    expect(resolveUrl('https://ops.example/pf/', {})).toBe('https://ops.example/pf');
    expect(() => resolveUrl('localhost:3000', {})).toThrow(/--url "localhost:3000" must be an http or https URL/);
    expect(() => resolveUrl(undefined, { POSTFLOW_URL: 'not a url' })).toThrow(/POSTFLOW_URL "not a url" is not a URL/);
  });

  it('knows the same delivery statuses and bulk filter keys as the API', () => {
    expect([...deliveryStatuses]).toEqual(deliveryListQuery.shape.status.unwrap().options);
    expect([...bulkBodyKeys].sort()).toEqual(Object.keys(bulkRedeliverySchema.shape).sort());
  });
});
