import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';

export type Connection = 'connecting' | 'open' | 'reconnecting' | 'stopped';

/** A list keeps the newest this many; older rows fall off the end. */
export const MAX_ROWS = 200;

/** A message as a list shows it: `rowKey` is unique within the list. */
export interface StreamRow<T> {
  rowKey: string;
  event: T;
}

/**
 * A Server-Sent Events stream of the API as a list, newest first, through the browser's
 * EventSource: it sends the session cookie (same origin) and reconnects by itself with
 * Last-Event-ID, so a dropped connection loses nothing. While paused, messages are kept aside and
 * counted; resuming shows them. `names` are the SSE event names listened to (`message` for
 * unnamed ones); `toRow` turns one message into a row.
 */
export function useEventSource<T>(url: string, names: string[], toRow: (message: MessageEvent<string>) => StreamRow<T>) {
  const [rows, setRows] = useState<StreamRow<T>[]>([]);
  const [held, setHeld] = useState<StreamRow<T>[]>([]);
  const [heldCount, setHeldCount] = useState(0);
  const [paused, setPaused] = useState(false);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [attempt, setAttempt] = useState(0);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const toRowRef = useRef(toRow);
  toRowRef.current = toRow;
  const nameKey = names.join(',');

  useEffect(() => {
    setConnection('connecting');
    const source = new EventSource(url);
    const take = (message: MessageEvent<string>) => {
      const row = toRowRef.current(message);
      if (pausedRef.current) {
        setHeld((h) => [row, ...h].slice(0, MAX_ROWS));
        setHeldCount((n) => n + 1);
      } else setRows((r) => [row, ...r].slice(0, MAX_ROWS));
    };
    for (const name of nameKey.split(',')) source.addEventListener(name, take);
    source.onopen = () => setConnection('open');
    source.onerror = () => {
      if (source.readyState === EventSource.CONNECTING) return setConnection('reconnecting');
      // Closed for good: the answer was not a stream (an expired session is a 401). Asking for the
      // session signs the console out when that is why (the client's 401 handling).
      setConnection('stopped');
      void api.GET('/api/session');
    };
    return () => source.close();
  }, [url, nameKey, attempt]);

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
    keep: (accept: (e: T) => boolean) => setRows((r) => r.filter((row) => accept(row.event))),
  };
}
