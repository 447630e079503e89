import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface StreamEvent extends EventSourceMessage {
  /** performance.now() when the event was parsed. */
  receivedAt: number;
}

export interface OpenStream {
  status: number;
  headers: Headers;
  /** The body of an answer that is not a stream (an error's JSON). */
  text?: string;
  /** Every event so far, in order. */
  events: StreamEvent[];
  /** The last `id:` the server sent (with an event or on its own), as EventSource would send back in Last-Event-ID. */
  lastId(): string | undefined;
  /** Resolves with the first event (from index `from`) that passes `accept`, or rejects after the deadline. */
  waitForEvent(what: string, accept: (e: StreamEvent) => boolean, timeoutMs?: number, from?: number): Promise<StreamEvent>;
  /** Settles when the server ends the stream (or close() is called). */
  ended: Promise<void>;
  close(): void;
}

/**
 * A Server-Sent Events client on fetch with eventsource-parser: what a browser's EventSource does,
 * without reconnecting by itself, so a test or benchmark decides when and with which
 * Last-Event-ID it comes back.
 */
export async function openStream(url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: StreamEvent[] = [];
  const waiters = new Set<() => void>();
  let last: string | undefined;
  const parser = createParser({
    onEvent: (e) => {
      events.push({ ...e, receivedAt: performance.now() });
      for (const wake of [...waiters]) wake();
    },
    onId: (id) => (last = id),
  });
  const isStream = res.ok && (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
  const text = isStream ? undefined : await res.text();
  let over = false;
  const ended = (async () => {
    if (!isStream || !res.body) {
      over = true;
      return;
    }
    const decoder = new TextDecoder();
    try {
      const reader = res.body.getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
        parser.feed(decoder.decode(chunk.value, { stream: true }));
    } catch {
      // aborted by close(), or the connection dropped: the stream is over either way
    } finally {
      over = true;
      for (const wake of [...waiters]) wake();
    }
  })();

  const waitForEvent: OpenStream['waitForEvent'] = (what, accept, timeoutMs = 20_000, from = 0) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = events.slice(from).find(accept);
        if (found) return done(() => resolve(found));
        if (over) return done(() => reject(new Error(`the stream ended before ${what}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  return {
    status: res.status,
    headers: res.headers,
    text,
    events,
    lastId: () => last,
    waitForEvent,
    ended,
    close: () => abort.abort(),
  };
}
