import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';
import type { paths } from '../../api/schema';

export type LiveEvent = Schemas['LiveEvent'];
export type LiveFilters = NonNullable<paths['/api/stream']['get']['parameters']['query']>;

/**
 * An event as shown, keyed by the document version it carries: a late change is sent with the
 * stream's position as its id, which other events may share (README, "Late changes").
 */
export interface LiveRow {
  rowKey: string;
  event: LiveEvent;
}

export type Connection = 'connecting' | 'open' | 'reconnecting' | 'stopped';

/** The list keeps the newest this many; older rows fall off the end. */
export const MAX_ROWS = 200;

export function streamUrl(filters: LiveFilters): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  const text = query.toString();
  return `/api/stream${text ? `?${text}` : ''}`;
}

/**
 * The live stream through the browser's EventSource: it sends the session cookie (same origin)
 * and reconnects by itself with Last-Event-ID, so a dropped connection loses nothing. While
 * paused, events are kept aside and counted; resuming shows them.
 */
export function useLiveStream(filters: LiveFilters) {
  const [rows, setRows] = useState<LiveRow[]>([]);
  const [held, setHeld] = useState<LiveRow[]>([]);
  const [heldCount, setHeldCount] = useState(0);
  const [paused, setPaused] = useState(false);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [attempt, setAttempt] = useState(0);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const url = streamUrl(filters);

  useEffect(() => {
    setConnection('connecting');
    const source = new EventSource(url);
    const take = (message: MessageEvent<string>) => {
      const event = JSON.parse(message.data) as LiveEvent;
      const row = { rowKey: `${event.kind}:${event.id}:${event.at}`, event };
      if (pausedRef.current) {
        setHeld((h) => [row, ...h].slice(0, MAX_ROWS));
        setHeldCount((n) => n + 1);
      } else setRows((r) => [row, ...r].slice(0, MAX_ROWS));
    };
    source.addEventListener('conversion', take);
    source.addEventListener('delivery', take);
    source.onopen = () => setConnection('open');
    source.onerror = () => {
      if (source.readyState === EventSource.CONNECTING) return setConnection('reconnecting');
      // Closed for good: the answer was not a stream (an expired session is a 401). Asking for the
      // session signs the console out when that is why (the client's 401 handling).
      setConnection('stopped');
      void api.GET('/api/session');
    };
    return () => source.close();
  }, [url, attempt]);

  const resume = () => {
    setRows((r) => [...held, ...r].slice(0, MAX_ROWS));
    setHeld([]);
    setHeldCount(0);
    setPaused(false);
  };
  return {
    rows,
    heldCount,
    paused,
    connection,
    pause: () => setPaused(true),
    resume,
    clear: () => setRows([]),
    /** After the stream stopped for good: open it again. */
    reconnect: () => setAttempt((n) => n + 1),
    /** Keeps only the rows the new filters would have let through. */
    keep: (accept: (e: LiveEvent) => boolean) => setRows((r) => r.filter((row) => accept(row.event))),
  };
}
