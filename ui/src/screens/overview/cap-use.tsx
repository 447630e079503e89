import type { Schemas } from '../../api/client';
import { localTime } from './format';

/** Each cap in its current window: a meter of places taken against the limit. */
export function CapUse({ caps, timezone }: { caps: Schemas['OverviewCapUse'][]; timezone: string }) {
  return (
    <section class="caps" aria-labelledby="cap-use-title">
      <h2 id="cap-use-title">Cap use now</h2>
      {caps.length === 0 ? (
        <p class="help">
          No active offer has a cap. Caps are set per offer in <a href="/ui/config">Configuration</a>.
        </p>
      ) : (
        <ul class="cap-list">
          {caps.map((c) => {
            const scope = [c.goal && `goal ${c.goal}`, c.affiliate_id && `affiliate ${c.affiliate_id}`].filter(Boolean);
            const label = `${c.offer_name}: ${c.metric} per ${c.period}${scope.map((x) => `, ${x}`).join('')}`;
            const unit = c.currency ? ` ${c.currency}` : '';
            const id = `cap-${c.offer_id}-${c.cap_id}-${c.affiliate_id ?? 'all'}`;
            return (
              <li key={id}>
                <div class="cap-head">
                  <span id={id}>{label}</span>
                  <span class="cap-figures">
                    {c.used} of {c.limit}
                    {unit}
                  </span>
                </div>
                <meter aria-labelledby={id} min={0} max={1} low={0.75} high={0.95} optimum={0} value={c.used_fraction} />
                <span class="help">
                  {c.window_start && c.window_end
                    ? `window ${localTime(c.window_start, timezone)} – ${localTime(c.window_end, timezone)} (cap counted in ${c.timezone})`
                    : 'all time'}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
