import { useEffect, useState } from 'preact/hooks';
import { problemMessage } from '../../api/client';

type Page<T> = { data: T[]; next_offset: number | null };

/**
 * A list read page by page (the API's `{data, next_offset}`), each page added below the last.
 * `filter` (JSON-able) is what the list is read with: a new one starts again from the first page.
 */
export function usePaged<T>(load: (offset: number) => Promise<{ data?: Page<T>; error?: unknown }>, filter: unknown = null) {
  const key = JSON.stringify(filter);
  const [at, setAt] = useState({ key, offset: 0 });
  const offset = at.key === key ? at.offset : 0;
  const [rows, setRows] = useState<T[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    let current = true;
    setLoading(true);
    load(offset).then(
      ({ data, error: problem }) => {
        if (!current) return;
        setLoading(false);
        if (!data) return setError(problemMessage(problem));
        setError(undefined);
        setRows((r) => (offset === 0 ? data.data : [...r, ...data.data]));
        setNext(data.next_offset);
      },
      (err) => {
        if (!current) return;
        setLoading(false);
        setError(problemMessage(err));
      },
    );
    return () => {
      current = false;
    };
  }, [offset, key]);
  return { rows, error, loading, more: next === null ? undefined : () => setAt({ key, offset: next }) };
}
