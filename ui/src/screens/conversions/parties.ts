import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client';

export interface Party {
  id: string;
  name: string;
  active: boolean;
}
export interface Parties {
  offers: Party[];
  affiliates: Party[];
  advertisers: Party[];
  /** "Name (id)" for an id, or the id alone when it is not (yet) known. */
  label(kind: 'offers' | 'affiliates' | 'advertisers', id: string): string;
}

type ListPath = '/api/offers' | '/api/affiliates' | '/api/advertisers';

/** Every row of a list route, page by page (the routes give at most 500 a page). */
async function all(path: ListPath): Promise<Party[]> {
  const out: Party[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const res = await api.GET(path, { params: { query: { limit: 500, offset } } });
    if (!res.data) throw res.error ?? new Error('no answer');
    const page: { data: Party[]; next_offset: number | null } = res.data;
    out.push(...page.data.map((p) => ({ id: p.id, name: p.name, active: p.active })));
    offset = page.next_offset;
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/**
 * Offers, affiliates and advertisers by name, for the filter pickers and for showing names
 * beside ids. Loaded once per screen visit; when it fails the pickers fall back to ids.
 */
export function useParties(): { parties: Parties; failed: boolean } {
  const [lists, setLists] = useState<Pick<Parties, 'offers' | 'affiliates' | 'advertisers'>>({
    offers: [],
    affiliates: [],
    advertisers: [],
  });
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    Promise.all([all('/api/offers'), all('/api/affiliates'), all('/api/advertisers')]).then(
      ([offers, affiliates, advertisers]) => setLists({ offers, affiliates, advertisers }),
      () => setFailed(true),
    );
  }, []);
  const label: Parties['label'] = (kind, id) => {
    const found = lists[kind].find((p) => p.id === id);
    return found ? `${found.name} (${id})` : id;
  };
  return { parties: { ...lists, label }, failed };
}
