import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { round, summarise, type LatencySummary } from './stats';

/**
 * What to send. Placeholders in `path` and `body`: {seq} is the request's number across the
 * whole session (warm-up included, so every request differs), {value} is values[seq].
 */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** One distinct input per request (e.g. click ids): the session stops when they run out. */
  values?: string[];
  /** Counts the values of this top-level JSON field in expected answers (e.g. result: accepted). */
  tallyJsonField?: string;
  /**
   * Keeps, for every expected answer, this top-level JSON field's value (e.g. conversion_id) and
   * the wall-clock time (Date.now(), comparable across processes) the answer ended: to follow
   * each request into the system afterwards.
   */
  recordJsonField?: string;
  /** The same, from a response header instead (e.g. location, to read a click id from a redirect). */
  recordHeader?: string;
}

/** Where requests go. https for a real deployment; the benchmarks use http on 127.0.0.1. */
export interface Target {
  host: string;
  port: number;
  protocol?: 'http:' | 'https:';
}

export interface PhaseOptions {
  /** closed: `concurrency` requests always in flight; open: `ratePerSec` arrivals whatever the answers. */
  mode: 'closed' | 'open';
  /** closed: in-flight requests (= connections). open: the socket cap; requests beyond it queue in the client. */
  concurrency: number;
  ratePerSec?: number;
  durationMs: number;
  maxRequests?: number;
  expectStatus: number;
  timeoutMs?: number;
}

export interface PerSecond {
  second: number;
  completed: number;
  p50Ms: number;
}

export interface PhaseResult {
  mode: 'closed' | 'open';
  concurrency: number;
  ratePerSec?: number;
  elapsedMs: number;
  /** Every request that finished, whatever its outcome. */
  completed: number;
  expected: number;
  expectedPerSec: number;
  statusCounts: Record<string, number>;
  /** Transport failures (refused, reset, timeout) by code: no HTTP status at all. */
  errors: Record<string, number>;
  /** Up to three bodies per unexpected status, to see why without a debugger. */
  unexpectedSamples: Record<string, string[]>;
  tallies: Record<string, number>;
  /** Latency of the answers with the expected status, ms. Open loop: from the scheduled send time. */
  latency: LatencySummary;
  perSecond: PerSecond[];
  /** The run stopped because values or maxRequests ran out, not because time was up. */
  exhausted: boolean;
  /** Open loop: the worst delay between a request's scheduled and actual send (generator overload). */
  maxSendLagMs?: number;
  /** With RequestSpec.recordJsonField: [field value, Date.now() at the end of the answer] per expected answer. */
  records?: Array<[string, number]>;
}

/** A running phase's figures so far, for progress lines; `window` covers the answers since the previous snapshot. */
export interface Progress {
  elapsedMs: number;
  issued: number;
  completed: number;
  statusCounts: Record<string, number>;
  errors: Record<string, number>;
  tallies: Record<string, number>;
  window: LatencySummary;
}

/** What a caller in the same process may add to a run: progress callbacks and a stop switch. */
export interface RunControl {
  progress?: { everyMs: number; report: (p: Progress) => void };
  /** Stops issuing new requests (those in flight still finish and count). */
  signal?: AbortSignal;
}

type Outcome = { status: number; body?: string; header?: string } | { error: string };

/**
 * Open-loop arrivals: calls `launch(scheduled)` for arrival i at `start + i / rate` (performance.now()
 * ms) whatever earlier arrivals are doing, `total` times or until `launch` returns undefined (out of
 * input) or the signal aborts, then waits for every launched promise. A scheduler that falls behind
 * launches the late arrivals at once and reports how late it got, rather than silently thinning the load.
 */
export async function openLoop(
  opts: { ratePerSec: number; total: number; start: number; signal?: AbortSignal },
  launch: (scheduled: number) => Promise<unknown> | undefined,
): Promise<{ launched: number; maxLagMs: number }> {
  const { ratePerSec: rate, total, start, signal } = opts;
  if (!rate || rate <= 0) throw new Error('open loop needs ratePerSec > 0');
  const interval = 1000 / rate;
  const inflight = new Set<Promise<unknown>>();
  let i = 0;
  let maxLag = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      let stopped = signal?.aborted ?? false;
      while (!stopped && i < total && start + i * interval <= now) {
        const scheduled = start + i * interval;
        const p = launch(scheduled);
        if (p === undefined) {
          stopped = true;
          break;
        }
        i += 1;
        maxLag = Math.max(maxLag, now - scheduled);
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      if (stopped || i >= total) resolve();
      else setTimeout(tick, Math.max(0, Math.min(interval, start + i * interval - performance.now())));
    };
    tick();
  });
  await Promise.all(inflight);
  return { launched: i, maxLagMs: maxLag };
}

export class LoadGenerator {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private next = 0;

  constructor(
    private readonly target: Target,
    private readonly spec: RequestSpec,
    maxSockets: number,
  ) {
    // Keep-alive, as a browser or an advertiser's HTTP client would: we measure requests, not TCP handshakes.
    const tls = target.protocol === 'https:';
    this.agent = new (tls ? https.Agent : http.Agent)({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    this.request = tls ? https.request : http.request;
  }

  close(): void {
    this.agent.destroy();
  }

  async run(opts: PhaseOptions, control: RunControl = {}): Promise<PhaseResult> {
    const limit = opts.maxRequests ?? Number.POSITIVE_INFINITY;
    let issued = 0;
    let exhausted = false;
    const take = (): number | undefined => {
      if (issued >= limit || (this.spec.values && this.next >= this.spec.values.length)) {
        exhausted = true;
        return undefined;
      }
      issued += 1;
      return this.next++;
    };
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const start = performance.now();
    const rec = new Recorder(
      start,
      opts.expectStatus,
      this.spec.tallyJsonField,
      this.spec.recordJsonField ?? this.spec.recordHeader,
      this.spec.recordJsonField === undefined,
    );
    const progress = control.progress;
    const timer = progress ? setInterval(() => progress.report(rec.snapshot(issued)), progress.everyMs) : undefined;
    let maxSendLagMs: number | undefined;
    try {
      if (opts.mode === 'closed') {
        await this.closedLoop(opts, start, take, rec, timeoutMs, control.signal);
      } else {
        const total = Math.floor((opts.durationMs / 1000) * (opts.ratePerSec ?? 0));
        const loop = await openLoop({ ratePerSec: opts.ratePerSec ?? 0, total, start, signal: control.signal }, (scheduled) => {
          const seq = take();
          return seq === undefined
            ? undefined
            : this.send(seq, timeoutMs).then((outcome) => rec.add(outcome, scheduled, performance.now()));
        });
        maxSendLagMs = loop.maxLagMs;
      }
    } finally {
      if (timer) clearInterval(timer);
    }
    const elapsedMs = performance.now() - start;
    return rec.result(opts, elapsedMs, exhausted, maxSendLagMs);
  }

  private async closedLoop(
    opts: PhaseOptions,
    start: number,
    take: () => number | undefined,
    rec: Recorder,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const end = start + opts.durationMs;
    const user = async () => {
      for (;;) {
        if (performance.now() >= end || signal?.aborted) return;
        const seq = take();
        if (seq === undefined) return;
        const sent = performance.now();
        const outcome = await this.send(seq, timeoutMs);
        rec.add(outcome, sent, performance.now());
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, user));
  }

  private send(seq: number, timeoutMs: number): Promise<Outcome> {
    const value = this.spec.values?.[seq] ?? '';
    const fill = (s: string) => s.replaceAll('{seq}', String(seq)).replaceAll('{value}', value);
    const body = this.spec.body === undefined ? undefined : fill(this.spec.body);
    const headers: Record<string, string | number> = { ...this.spec.headers };
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    const { host, port } = this.target;
    const wanted = this.spec.recordHeader?.toLowerCase();
    return new Promise((resolve) => {
      const req = this.request({ host, port, method: this.spec.method, path: fill(this.spec.path), headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        const header = wanted ? res.headers[wanted] : undefined;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            header: Array.isArray(header) ? header[0] : header,
          }),
        );
      });
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
      req.end(body);
    });
  }
}

/** Collects one phase's outcomes; per-second buckets show whether the server slows down as data grows. */
class Recorder {
  private readonly latencies: number[] = [];
  private readonly buckets: number[][] = [];
  private readonly statusCounts: Record<string, number> = {};
  private readonly errors: Record<string, number> = {};
  private readonly samples: Record<string, string[]> = {};
  private readonly tallies: Record<string, number> = {};
  private readonly records: Array<[string, number]> = [];
  private completed = 0;
  private reported = 0;

  constructor(
    private readonly start: number,
    private readonly expectStatus: number,
    private readonly tallyField: string | undefined,
    private readonly recordField: string | undefined,
    /** recordField names a response header, not a JSON field. */
    private readonly recordFromHeader: boolean,
  ) {}

  snapshot(issued: number): Progress {
    const window = summarise(this.latencies.slice(this.reported));
    this.reported = this.latencies.length;
    return {
      elapsedMs: performance.now() - this.start,
      issued,
      completed: this.completed,
      statusCounts: { ...this.statusCounts },
      errors: { ...this.errors },
      tallies: { ...this.tallies },
      window,
    };
  }

  add(outcome: Outcome, sent: number, done: number): void {
    this.completed += 1;
    if ('error' in outcome) {
      this.errors[outcome.error] = (this.errors[outcome.error] ?? 0) + 1;
      return;
    }
    const key = String(outcome.status);
    this.statusCounts[key] = (this.statusCounts[key] ?? 0) + 1;
    if (outcome.status !== this.expectStatus) {
      const list = (this.samples[key] ??= []);
      if (list.length < 3) list.push((outcome.body ?? '').slice(0, 300));
      return;
    }
    const ms = done - sent;
    this.latencies.push(ms);
    const second = Math.floor((done - this.start) / 1000);
    (this.buckets[second] ??= []).push(ms);
    if (this.recordField && this.recordFromHeader) this.records.push([outcome.header ?? '', Date.now()]);
    if ((this.tallyField || (this.recordField && !this.recordFromHeader)) && outcome.body) {
      const wallMs = Date.now();
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(outcome.body) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      if (this.tallyField) {
        const v = json ? String(json[this.tallyField]) : '<not json>';
        this.tallies[v] = (this.tallies[v] ?? 0) + 1;
      }
      if (this.recordField && !this.recordFromHeader) this.records.push([json ? String(json[this.recordField]) : '<not json>', wallMs]);
    }
  }

  result(opts: PhaseOptions, elapsedMs: number, exhausted: boolean, maxSendLagMs: number | undefined): PhaseResult {
    const latency = summarise(this.latencies);
    const perSecond: PerSecond[] = [];
    for (let s = 0; s < this.buckets.length; s++) {
      const b = this.buckets[s] ?? [];
      perSecond.push({ second: s, completed: b.length, p50Ms: round(summarise(b).p50Ms) });
    }
    return {
      mode: opts.mode,
      concurrency: opts.concurrency,
      ratePerSec: opts.ratePerSec,
      elapsedMs: round(elapsedMs),
      completed: this.completed,
      expected: latency.count,
      expectedPerSec: round(latency.count / (elapsedMs / 1000)),
      statusCounts: this.statusCounts,
      errors: this.errors,
      unexpectedSamples: this.samples,
      tallies: this.tallies,
      latency: Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, round(v)])) as unknown as LatencySummary,
      perSecond,
      exhausted,
      maxSendLagMs: maxSendLagMs === undefined ? undefined : round(maxSendLagMs),
      ...(this.recordField ? { records: this.records } : {}),
    };
  }
}
