import type { Models } from '../../models';
import type { LiveEvent, LiveQuery } from '../schemas/live';
import { compareCursors, formatCursor, horizon, maxCursor, type Cursor } from './cursor';
import { PollLoop } from '../../system/poll-loop';
import { readChanges, readUnknownChanges, type Change } from './read-changes';

/**
 * How far behind its cursor the poller looks again, each tick, for changes it has not read: a
 * change stamped (by the database) more than `settleMs` before it became visible was behind the
 * cursor when it appeared. On a machine overloaded by other work one took longer than 500 ms
 * (bench/live-tail.ts); a few seconds covers that with a wide margin, while the keys remembered
 * to tell a late change from one already sent stay a few seconds' worth.
 */
export const SWEEP_MS = 5_000;
/** Keys of each kind looked at per sweep: bounds one sweep's read on a very busy database. */
const SWEEP_LIMIT = 20_000;

export interface LiveFeedOptions {
  models: Models;
  /** How often the database is read while someone listens. */
  intervalMs?: number;
  /**
   * How long after its stamp a change is read. A change is stamped (by the database, $currentDate)
   * a moment before it commits; a concurrent write stamped earlier may commit a little later.
   * Reading only what is older than this keeps the stream in key order without skipping such a
   * write, as long as no write takes longer than this to commit (and the API's clock is within
   * it of the database's).
   */
  settleMs?: number;
  /** Changes of each kind read per query: bounds one read, however far a client is behind. */
  pageSize?: number;
  now?: () => number;
  /** A failed read (database unreachable): the streams stay open and catch up once it answers. */
  onError?: (err: unknown) => void;
}

/** A change handed to a listener, with the position it is sent at (its SSE id). */
export interface Delivery {
  /**
   * The change's own key; or, for a late change (found behind the listener's position), the
   * listener's position then: a client resuming from it neither gets the late change again nor
   * anything it already had, and ids stay in ascending order.
   */
  id: Cursor;
  event: LiveEvent;
}

export interface LiveListener {
  /** New changes for this listener, in ascending id order, already filtered. */
  deliver(changes: Delivery[]): void;
  /** The feed closed (the server is stopping): end the stream. */
  end(): void;
}

export interface LiveSubscription {
  /** Everything up to here has been considered for this listener: where it would resume. */
  readonly cursor: Cursor;
  close(): void;
}

export class LiveFeedClosedError extends Error {
  constructor() {
    super('the live feed is closed: the server is stopping');
  }
}

interface Subscriber {
  filter: LiveQuery;
  /** Where it started (exclusive): a late change stamped before that is not its business. */
  from: Cursor;
  cursor: Cursor;
  listener: LiveListener;
  /** Keys its own catch-up reads handed it within the sweep window: the sweep does not send them again. */
  caughtUp: Map<string, number>;
}

export function matches(filter: LiveQuery, event: LiveEvent): boolean {
  return (
    (!filter.kind || filter.kind === event.kind) &&
    (!filter.offer_id || filter.offer_id === event.offer_id) &&
    (!filter.affiliate_id || filter.affiliate_id === event.affiliate_id) &&
    (!filter.advertiser_id || ('advertiser_id' in event && filter.advertiser_id === event.advertiser_id)) &&
    (!filter.status || filter.status === event.status)
  );
}

/**
 * One poller per API process for every open stream. It reads the conversions and deliveries
 * changed since its cursor every `intervalMs`, only while at least one listener is subscribed,
 * and hands each listener what matches its filter. MongoDB change streams would push instead,
 * but the embedded store has none, and the cursor lives in the shared database, so any number of
 * API processes serve the same stream and a client may resume on any of them.
 *
 * A listener that starts behind the poller (it resumes from an older Last-Event-ID) is caught
 * up with reads of its own, a page per tick, until it reaches the poller; one that is ahead (its
 * id came from a process whose poller is further on) gets only what is after its own cursor.
 *
 * Each tick also sweeps the last `SWEEP_MS` behind the cursor for changes the poller has not read
 * (it remembers the keys it read in that window) and hands them to every listener already past
 * them that started before them, at the listener's current position (see Delivery.id).
 */
export class LiveFeed {
  private readonly subscribers = new Set<Subscriber>();
  private cursor: Cursor | undefined;
  /** The keys read within the sweep window (formatted key → changed_at): what the sweep need not send. */
  private readonly readKeys = new Map<string, number>();
  private readonly loop: PollLoop;
  private isClosed = false;
  private readonly settleMs: number;
  private readonly pageSize: number;
  private readonly now: () => number;
  /** Told of each failed read; createApp sets it to the app's logger when the creator did not. */
  onError: ((err: unknown) => void) | undefined;

  constructor(private readonly opts: LiveFeedOptions) {
    this.onError = opts.onError;
    this.loop = new PollLoop({
      intervalMs: opts.intervalMs ?? 250,
      round: () => this.read(),
      wanted: () => !this.isClosed && this.subscribers.size > 0,
      onError: (err) => this.onError?.(err),
    });
    this.settleMs = opts.settleMs ?? 500;
    this.pageSize = opts.pageSize ?? 500;
    this.now = opts.now ?? Date.now;
  }

  /** Whether the poller is reading (or scheduled to): only while someone listens. */
  get polling(): boolean {
    return this.loop.running;
  }

  /** Closed for good: the server is stopping. */
  get closed(): boolean {
    return this.isClosed;
  }

  get listeners(): number {
    return this.subscribers.size;
  }

  /** Everything up to here has been read by the poller (undefined while nobody listens). */
  get position(): Cursor | undefined {
    return this.cursor;
  }

  /** Listens from `after` (exclusive), or from now. */
  subscribe(filter: LiveQuery, listener: LiveListener, after?: Cursor): LiveSubscription {
    if (this.isClosed) throw new LiveFeedClosedError();
    if (!this.cursor) this.cursor = horizon(this.now() - this.settleMs);
    const from = after ?? this.cursor;
    const subscriber: Subscriber = { filter, from, cursor: from, listener, caughtUp: new Map() };
    this.subscribers.add(subscriber);
    this.loop.start();
    return {
      get cursor() {
        return subscriber.cursor;
      },
      close: () => {
        this.subscribers.delete(subscriber);
        if (this.subscribers.size === 0) this.stop();
      },
    };
  }

  /** Ends every stream and stops the poller; later subscriptions are refused. */
  async close(): Promise<void> {
    this.isClosed = true;
    const subscribers = [...this.subscribers];
    this.subscribers.clear();
    this.stop();
    for (const s of subscribers) s.listener.end();
    await this.loop.settled();
  }

  private stop(): void {
    this.loop.stop();
    this.cursor = undefined; // the next first listener starts from its own now
    this.readKeys.clear();
  }

  /** One round: catch-up reads for listeners behind the poller, the poller's own, the sweep. True when a page was cut short. */
  private async read(): Promise<boolean> {
    let behind = false;
    const start = this.cursor;
    if (!start) return false;
    for (const s of [...this.subscribers]) {
      if (compareCursors(s.cursor, start) >= 0) continue;
      const page = await readChanges(this.opts.models, s.cursor, start, this.pageSize);
      for (const c of page.changes) s.caughtUp.set(formatCursor(c.key), c.key.t);
      this.hand(s, page.changes, page.next);
      if (compareCursors(page.next, start) < 0) behind = true;
    }
    const upTo = horizon(this.now() - this.settleMs);
    if (compareCursors(upTo, start) > 0) {
      const page = await readChanges(this.opts.models, start, upTo, this.pageSize);
      if (this.cursor !== start) return behind; // stopped (or restarted) while reading: this page is stale
      this.cursor = page.next;
      for (const c of page.changes) this.readKeys.set(formatCursor(c.key), c.key.t);
      for (const s of [...this.subscribers]) if (compareCursors(s.cursor, start) >= 0) this.hand(s, page.changes, page.next);
      behind ||= compareCursors(page.next, upTo) < 0;
    }
    await this.sweep();
    return behind;
  }

  /** Finds the changes that became visible behind the cursor since it passed them, and hands them on. */
  private async sweep(): Promise<void> {
    const cursor = this.cursor;
    if (!cursor) return;
    const floor = horizon(cursor.t - SWEEP_MS);
    const forget = (keys: Map<string, number>) => {
      for (const [key, t] of keys) if (t <= floor.t) keys.delete(key);
    };
    forget(this.readKeys);
    for (const s of this.subscribers) forget(s.caughtUp);
    const late = await readUnknownChanges(this.opts.models, floor, cursor, (key) => this.readKeys.has(formatCursor(key)), SWEEP_LIMIT);
    if (this.cursor !== cursor) return; // stopped (or restarted) while reading
    for (const c of late) this.readKeys.set(formatCursor(c.key), c.key.t);
    if (late.length === 0) return;
    for (const s of [...this.subscribers]) {
      const due = late.filter(
        (c) =>
          compareCursors(c.key, s.from) > 0 &&
          // one not yet past it gets it from its own catch-up read, in order
          compareCursors(c.key, s.cursor) <= 0 &&
          !s.caughtUp.has(formatCursor(c.key)) &&
          matches(s.filter, c.event),
      );
      if (due.length > 0) s.listener.deliver(due.map((c) => ({ id: s.cursor, event: c.event })));
    }
  }

  private hand(s: Subscriber, changes: Change[], next: Cursor): void {
    if (!this.subscribers.has(s)) return; // it left while the read was under way
    const fresh = changes.filter((c) => compareCursors(c.key, s.cursor) > 0 && matches(s.filter, c.event));
    s.cursor = maxCursor(s.cursor, next);
    if (fresh.length > 0) s.listener.deliver(fresh.map((c) => ({ id: c.key, event: c.event })));
  }
}
