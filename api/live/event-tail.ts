import type { Models } from '../../models';
import { eventFeed, formatCursor, parseCursor, type EventFeed } from '../../events/feed';
import type { StoredEvent } from '../../events/envelope';
import { PollLoop } from '../../system/poll-loop';

export interface EventTailOptions {
  models: Models;
  /** How often the feed is read while someone listens. */
  intervalMs?: number;
  /** Events read per page: bounds one read, however far a listener is behind. */
  pageSize?: number;
  /** A failed read (database unreachable): the streams stay open and catch up once it answers. */
  onError?: (err: unknown) => void;
}

export interface EventTailListener {
  /** New events for this listener, in feed order, already filtered by type. */
  deliver(events: StoredEvent[]): void;
  /** The tail closed (the server is stopping): end the stream. */
  end(): void;
}

export interface EventTailSubscription {
  /** Every event up to this feed position has been considered for this listener: where it would resume. */
  readonly position: number;
  close(): void;
}

export class EventTailClosedError extends Error {
  constructor() {
    super('the event stream is closed: the server is stopping');
  }
}

interface Listener {
  /** Exact type names; every type when undefined. */
  types: Set<string> | undefined;
  position: number;
  listener: EventTailListener;
}

/**
 * One poller per API process for every open stream of the event feed (GET /api/events/stream).
 * It reads the feed (events/feed.ts) after its position every `intervalMs`, only while someone
 * listens, and hands each listener the events of its types. The feed's positions never change
 * once given and no event appears behind one already read, so a position is a complete resume
 * point: a listener that resumes from an older one (Last-Event-ID) is caught up with reads of its
 * own, a page per tick, until it reaches the poller; one ahead of it (its id came from a process
 * whose poller is further on) is handed only what is after its own position.
 */
export class EventTail {
  private readonly listeners = new Set<Listener>();
  private readonly feed: EventFeed;
  /** Every event up to here has been read by the poller (undefined while nobody listens). */
  private position: number | undefined;
  private readonly loop: PollLoop;
  private isClosed = false;
  private readonly pageSize: number;
  /** Told of each failed read; createApp sets it to the app's logger when the creator did not. */
  onError: ((err: unknown) => void) | undefined;

  constructor(opts: EventTailOptions) {
    this.feed = eventFeed(opts.models);
    this.pageSize = opts.pageSize ?? 500;
    this.onError = opts.onError;
    this.loop = new PollLoop({
      intervalMs: opts.intervalMs ?? 250,
      round: () => this.read(),
      wanted: () => !this.isClosed && this.listeners.size > 0,
      onError: (err) => this.onError?.(err),
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get polling(): boolean {
    return this.loop.running;
  }

  /** The newest settled position: where a stream opened without a starting point begins. */
  async head(): Promise<number> {
    return parseCursor(await this.feed.head());
  }

  /** Listens after `after` (a feed position, exclusive); from the head when undefined. */
  async subscribe(types: string[] | undefined, listener: EventTailListener, after?: number): Promise<EventTailSubscription> {
    if (this.isClosed) throw new EventTailClosedError();
    const head = await this.head();
    const entry: Listener = { types: types ? new Set(types) : undefined, position: after ?? head, listener };
    if (this.isClosed) throw new EventTailClosedError();
    this.position ??= head;
    this.listeners.add(entry);
    this.loop.start();
    return {
      get position() {
        return entry.position;
      },
      close: () => {
        this.listeners.delete(entry);
        if (this.listeners.size === 0) this.stop();
      },
    };
  }

  /** Ends every stream and stops the poller; later subscriptions are refused. */
  async close(): Promise<void> {
    this.isClosed = true;
    const listeners = [...this.listeners];
    this.listeners.clear();
    this.stop();
    for (const l of listeners) l.listener.end();
    await this.loop.settled();
  }

  private stop(): void {
    this.loop.stop();
    this.position = undefined; // the next first listener starts from the head then
  }

  /** One round: a page for each listener behind the poller, then the poller's own. True when a page came back full. */
  private async read(): Promise<boolean> {
    const start = this.position;
    if (start === undefined) return false;
    let behind = false;
    for (const l of [...this.listeners]) {
      if (l.position >= start) continue;
      const page = await this.feed.readEventsAfter(formatCursor(l.position), {
        types: l.types ? [...l.types] : undefined,
        limit: this.pageSize,
      });
      this.hand(l, page.events, parseCursor(page.next));
      behind ||= page.events.length === this.pageSize;
    }
    const page = await this.feed.readEventsAfter(formatCursor(start), { limit: this.pageSize });
    if (this.position !== start) return behind; // stopped (or restarted) while reading: this page is stale
    const next = parseCursor(page.next);
    this.position = next;
    for (const l of [...this.listeners]) if (l.position >= start) this.hand(l, page.events, next);
    return behind || page.events.length === this.pageSize;
  }

  private hand(l: Listener, events: StoredEvent[], next: number): void {
    if (!this.listeners.has(l)) return; // it left while the read was under way
    const fresh = events.filter((e) => e.position > l.position && (!l.types || l.types.has(e.type)));
    l.position = Math.max(l.position, next);
    if (fresh.length > 0) l.listener.deliver(fresh);
  }
}
