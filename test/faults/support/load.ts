import type { LifecycleStatus } from '../../../domain/status';

/**
 * A steady load of advertiser postbacks over HTTP, behaving like a well-behaved advertiser:
 * every request that does not get a 200 (5xx, timeout, refused connection) is sent again
 * later with backoff, and a status update is only sent once its conversion was accepted.
 * Every answer is recorded, so a scenario can say how many requests failed during its fault
 * and the invariant checker can ask whether everything that got a 200 was kept.
 */

/** What one planned conversion goes through, and so how it must end. */
export type Plan = 'approve' | 'pending-approve' | 'pending-decline' | 'capped';

export interface PlannedConversion {
  txid: string;
  plan: Plan;
  offerId: string;
  clickId: string;
  /** Conversion ids of every 200 answer for this txid (one, or the dedupe is broken). */
  conversionIds: Set<string>;
  accepted: boolean;
  followUp?: 'approved' | 'declined';
  followUpDone: boolean;
  /** When the creating postback was first sent and when it first got a 200 (ms since epoch). */
  sentAt: number;
  acceptedAt?: number;
}

export interface RequestRecord {
  at: number;
  kind: 'create' | 'status' | 'repeat';
  /** The HTTP status, or what happened instead. */
  outcome: number | 'timeout' | 'network';
  ms: number;
  retry: boolean;
}

export interface LoadTarget {
  apiUrl: string;
  /** Every API process: requests go round-robin over them, a retry to the next one (DNS round-robin). */
  apiUrls: string[];
  token: string;
  affiliateId: string;
  main: { offerId: string; clickIds: string[] };
  capped: { offerId: string; clickIds: string[] };
  /** A strict-order subscription to conversion.* on the affiliate's receiver (path /events). */
  subscriptionId?: string;
}

export interface LoadOptions {
  ratePerSecond: number;
  /** The advertiser gives up waiting for one answer after this long and retries. */
  requestTimeoutMs?: number;
  /** Delay between an accepted pending conversion and its status update. */
  followUpDelayMs?: number;
}

/** The status a planned conversion must end in (the capped ones: approved, or rejected as over the cap). */
export function expectedStatuses(plan: Plan): LifecycleStatus[] {
  switch (plan) {
    case 'approve':
    case 'pending-approve':
      return ['approved'];
    case 'pending-decline':
      return ['declined'];
    case 'capped':
      return ['approved', 'rejected'];
  }
}

export function startLoad(target: LoadTarget, opts: LoadOptions) {
  const requestTimeoutMs = opts.requestTimeoutMs ?? 20_000;
  const followUpDelayMs = opts.followUpDelayMs ?? 1_000;
  const planned: PlannedConversion[] = [];
  const requests: RequestRecord[] = [];
  /** 4xx answers and other surprises: a valid postback must never get one. */
  const unexpected: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let sentCount = 0;
  let stopped = false;
  /** After abort nothing is sent or scheduled again, not even by an answer still in flight:
   * a failed request would otherwise schedule its retry, and the retries keep jest alive. */
  let aborted = false;
  let tick = 0;

  const later = (ms: number, fn: () => void) => {
    if (aborted) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  /** One request, then on a non-200 the same request again after 1, 2, 4, 5, 5 … s. */
  const send = (
    kind: RequestRecord['kind'],
    params: Record<string, string>,
    onOk: (body: { conversion_id: string; result: string; status?: string }) => void,
    attempt = 0,
    // The API a request goes to first, round-robin; each retry goes to the next one, as a client
    // resolving several addresses tries another after a refused or failed connection.
    first = sentCount++,
  ) => {
    if (aborted) return;
    const started = Date.now();
    inFlight += 1;
    const query = new URLSearchParams({ ...params, token: target.token });
    const apiUrl = target.apiUrls[(first + attempt) % target.apiUrls.length]!;
    void fetch(`${apiUrl}/postback?${query}`, { signal: AbortSignal.timeout(requestTimeoutMs) })
      .then(async (res) => {
        const text = await res.text();
        requests.push({ at: started, kind, outcome: res.status, ms: Date.now() - started, retry: attempt > 0 });
        if (res.status === 200) return onOk(JSON.parse(text));
        if (res.status < 500) {
          // The advertiser would not retry a 4xx either: it is a bug in what we accept.
          unexpected.push(
            `${kind} txid=${params.txid}${params.status ? ` status=${params.status}` : ''}: ${res.status} ${text.slice(0, 300)}`,
          );
          return;
        }
        retry();
      })
      .catch((err: Error) => {
        requests.push({
          at: started,
          kind,
          outcome: err.name === 'TimeoutError' ? 'timeout' : 'network',
          ms: Date.now() - started,
          retry: attempt > 0,
        });
        retry();
      })
      .finally(() => (inFlight -= 1));
    const retry = () => later(Math.min(1_000 * 2 ** attempt, 5_000), () => send(kind, params, onOk, attempt + 1, first));
  };

  const createParams = (c: PlannedConversion): Record<string, string> => ({
    click_id: c.clickId,
    txid: c.txid,
    amount: '20.00',
    ...(c.followUp ? { status: 'pending' } : {}),
  });

  const create = (c: PlannedConversion) =>
    send('create', createParams(c), (body) => {
      c.conversionIds.add(body.conversion_id);
      if (c.accepted) return;
      c.accepted = true;
      c.acceptedAt = Date.now();
      if (c.followUp)
        later(followUpDelayMs, () => send('status', { ...createParams(c), status: c.followUp! }, () => (c.followUpDone = true)));
    });

  const next = () => {
    const i = tick++;
    const slot = i % 10;
    // Every tenth postback repeats an accepted one: the same dedupe key must give the same id.
    if (slot === 9) {
      const earlier = [...planned].reverse().find((c) => c.plan === 'approve' && c.accepted);
      if (earlier) return send('repeat', createParams(earlier), (body) => earlier.conversionIds.add(body.conversion_id));
    }
    const plan: Plan = slot === 3 ? 'capped' : slot === 5 ? 'pending-approve' : slot === 7 ? 'pending-decline' : 'approve';
    const offer = plan === 'capped' ? target.capped : target.main;
    const c: PlannedConversion = {
      txid: `tx-${i}`,
      plan,
      offerId: offer.offerId,
      clickId: offer.clickIds[i % offer.clickIds.length]!,
      conversionIds: new Set(),
      accepted: false,
      followUp: plan === 'pending-approve' ? 'approved' : plan === 'pending-decline' ? 'declined' : undefined,
      followUpDone: false,
      sentAt: Date.now(),
    };
    planned.push(c);
    create(c);
  };

  // Paced against the start time, not interval to interval, so a busy event loop catches up
  // and the rate stays what was asked for.
  const startedAt = Date.now();
  const pacer = setInterval(() => {
    if (stopped) return;
    const due = Math.floor(((Date.now() - startedAt) / 1000) * opts.ratePerSecond);
    while (tick < due) next();
  }, 20);

  const settled = () => planned.every((c) => c.accepted && (!c.followUp || c.followUpDone)) && inFlight === 0;

  return {
    planned,
    requests,
    unexpected,
    /** Stops sending new postbacks; retries and status updates go on until settled. */
    stop() {
      stopped = true;
      clearInterval(pacer);
    },
    /** True once every planned postback and status update has had its 200. */
    settled,
    /** Ends every retry still scheduled (after a failed test). */
    abort() {
      aborted = true;
      this.stop();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
    /** Postbacks sent (first tries and retries) and how many got a 200, since `from`. */
    counts(from = 0, to = Infinity) {
      const window = requests.filter((r) => r.at >= from && r.at < to);
      const byOutcome: Record<string, number> = {};
      const failedByKind: Record<string, number> = {};
      for (const r of window) {
        byOutcome[String(r.outcome)] = (byOutcome[String(r.outcome)] ?? 0) + 1;
        if (r.outcome !== 200) failedByKind[r.kind] = (failedByKind[r.kind] ?? 0) + 1;
      }
      return {
        sent: window.length,
        ok: window.filter((r) => r.outcome === 200).length,
        retries: window.filter((r) => r.retry).length,
        byOutcome,
        failedByKind,
      };
    },
  };
}

export type Load = ReturnType<typeof startLoad>;
