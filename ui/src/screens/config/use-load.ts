import { useEffect, useState } from 'preact/hooks';
import { problemMessage } from '../../api/client';

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload(): void;
}

/** One API read for a screen: its data, or the error to show, and a way to read it again after a change. */
export function useLoad<T>(load: () => Promise<{ data?: T; error?: unknown }>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      ({ data, error }) =>
        current && setState(data !== undefined ? { data, loading: false } : { error: problemMessage(error), loading: false }),
      (err) => current && setState({ error: problemMessage(err), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
}
