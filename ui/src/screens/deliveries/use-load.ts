import { useCallback, useEffect, useState } from 'preact/hooks';
import { problemMessage } from '../../api/client';

/** One API read, redone when `deps` change or on `reload()`; an answer to an older request is dropped. */
export function useLoad<T>(load: () => Promise<{ data?: T; error?: unknown }>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      ({ data, error }) => current && setState(data ? { data, loading: false } : { error: problemMessage(error), loading: false }),
      (err) => current && setState({ error: problemMessage(err), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
