import { useState } from 'preact/hooks';
import { presets, zoneChoices, type OverviewRange } from './range';

/** Range and time zone: a change goes to the URL (and so survives reload); custom dates apply on "Show". */
export function RangeControls(props: {
  range: OverviewRange;
  onChange: (next: OverviewRange) => void;
  onRefresh: () => void;
  errors: Record<string, string>;
}) {
  const { range, onChange, errors } = props;
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const custom = range.last === 'custom';
  const fieldError = (field: string, id: string) =>
    errors[field] ? (
      <p class="field-error" id={id}>
        {errors[field]}
      </p>
    ) : null;
  return (
    <form
      class="filters overview-controls"
      onSubmit={(e) => {
        e.preventDefault();
        if (custom) onChange({ ...range, from, to });
        else props.onRefresh();
      }}
    >
      <div>
        <label for="overview-range">Range</label>
        <select
          id="overview-range"
          value={range.last}
          aria-invalid={errors.last ? 'true' : undefined}
          aria-describedby={errors.last ? 'overview-range-error' : undefined}
          onChange={(e) => {
            const last = e.currentTarget.value;
            if (last !== 'custom') onChange({ ...range, last, from: '', to: '' });
            else {
              const today = new Date().toISOString().slice(0, 10);
              const start = from || new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
              setFrom(start);
              setTo(to || today);
              onChange({ ...range, last, from: start, to: to || today });
            }
          }}
        >
          {presets.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
          <option value="custom">Custom dates</option>
        </select>
        {fieldError('last', 'overview-range-error')}
      </div>
      {custom && (
        <>
          <div>
            <label for="overview-from">From (first day)</label>
            <input
              id="overview-from"
              type="date"
              value={from}
              aria-invalid={errors.from ? 'true' : undefined}
              aria-describedby={errors.from ? 'overview-from-error' : undefined}
              onInput={(e) => setFrom(e.currentTarget.value)}
            />
            {fieldError('from', 'overview-from-error')}
          </div>
          <div>
            <label for="overview-to">To (last day)</label>
            <input
              id="overview-to"
              type="date"
              value={to}
              aria-invalid={errors.to ? 'true' : undefined}
              aria-describedby={errors.to ? 'overview-to-error' : undefined}
              onInput={(e) => setTo(e.currentTarget.value)}
            />
            {fieldError('to', 'overview-to-error')}
          </div>
        </>
      )}
      <div>
        <label for="overview-tz">Time zone</label>
        <select
          id="overview-tz"
          value={range.tz}
          aria-invalid={errors.timezone ? 'true' : undefined}
          aria-describedby={errors.timezone ? 'overview-tz-error' : undefined}
          onChange={(e) => onChange({ ...range, from, to, tz: e.currentTarget.value })}
        >
          {zoneChoices(range.tz).map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
        {fieldError('timezone', 'overview-tz-error')}
      </div>
      <button type="submit">{custom ? 'Show' : 'Refresh'}</button>
    </form>
  );
}
