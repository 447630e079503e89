import { formatIn } from '../conversions/time-zone';
import { EntryDetail } from './entry-detail';
import { kindLabels, sectionLabel, sectionOf, sections, type Entry, type SectionKey } from './sections';

const outcomeTone: Record<Entry['outcome'], string> = { ok: 'ok', failed: 'bad', retrying: 'warn', waiting: 'warn', info: '' };

const elapsed = (ms: number) =>
  ms < 1000 ? `+${ms} ms` : ms < 120_000 ? `+${(ms / 1000).toFixed(1)} s` : `+${Math.round(ms / 60_000)} min`;

/**
 * The whole story, in the API's order: one list item per timeline entry, each tagged with the
 * part of the story it tells. `show` narrows the list to one part (kept in the URL by the page).
 */
export function Timeline(props: { entries: Entry[]; zone: string; show: SectionKey | ''; onShow: (s: SectionKey | '') => void }) {
  const { entries, zone, show } = props;
  const counts = new Map<SectionKey, number>();
  for (const e of entries) counts.set(sectionOf(e.kind), (counts.get(sectionOf(e.kind)) ?? 0) + 1);
  const present = [...sections.map((s) => s.key), 'workflow' as const].filter((k) => counts.has(k));
  const start = entries.length > 0 ? Date.parse(entries[0]!.at) : 0;
  const shown = entries.filter((e) => !show || sectionOf(e.kind) === show);

  return (
    <section class="timeline-section" aria-labelledby="timeline-title">
      <div class="timeline-head">
        <h2 id="timeline-title">Timeline</h2>
        <ul class="section-counts" aria-label="Parts of the story">
          {present.map((k) => (
            <li key={k} data-section={k}>
              {sectionLabel(k)} <span class="count">{counts.get(k)}</span>
            </li>
          ))}
        </ul>
        <label class="inline" for="timeline-show">
          Show
        </label>
        <select id="timeline-show" value={show} onChange={(e) => props.onShow(e.currentTarget.value as SectionKey | '')}>
          <option value="">every entry ({entries.length})</option>
          {present.map((k) => (
            <option key={k} value={k}>
              {sectionLabel(k)} only ({counts.get(k)})
            </option>
          ))}
        </select>
      </div>
      <p class="help">Times in {zone}, elapsed from the postback.</p>
      <ol class="timeline">
        {shown.map((e, i) => (
          <li key={i} class={`entry outcome-${e.outcome}`} data-kind={e.kind} data-section={sectionOf(e.kind)}>
            <div class="when">
              <time dateTime={e.at}>{formatIn(e.at, zone)}</time>
              <span class="help">
                {elapsed(Date.parse(e.at) - start)}
                {e.duration_ms !== null ? ` · took ${e.duration_ms} ms` : ''}
              </span>
            </div>
            <div class="what">
              <p class="entry-head">
                <span class="kind">{kindLabels[e.kind] ?? e.kind}</span>
                {e.outcome !== 'info' && <span class={`badge ${outcomeTone[e.outcome]}`}>{e.outcome}</span>}
                {e.source !== 'conversion' && <span class="source help">{e.source.replace(/_/g, ' ')} workflow</span>}
              </p>
              <p class="entry-title">{e.title}</p>
              <EntryDetail entry={e} zone={zone} />
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
