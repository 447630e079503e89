import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Parties, Party } from './parties';
import { deliveryStates, statuses, type FilterKey, type SearchState } from './query';
import { allZones } from './time-zone';

type Errors = Partial<Record<FilterKey | 'tz', string>>;

function Field(props: { id: string; label: string; error?: string; help?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.help && (
        <p class="help" id={`${props.id}-help`}>
          {props.help}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** What a field's input needs to point at its help and error. */
const described = (id: string, error?: string, help?: boolean) => ({
  id,
  'aria-invalid': error ? ('true' as const) : undefined,
  'aria-describedby': [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined,
});

function PartyPicker(props: {
  id: string;
  label: string;
  any: string;
  value: string;
  options: Party[];
  error?: string;
  onChange: (v: string) => void;
}) {
  // An id from a shared link that the list does not hold (yet) stays selectable.
  const missing = props.value && !props.options.some((p) => p.id === props.value);
  return (
    <Field id={props.id} label={props.label} error={props.error}>
      <select {...described(props.id, props.error)} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">{props.any}</option>
        {missing && <option value={props.value}>{props.value}</option>}
        {props.options.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
            {p.active ? '' : ' (inactive)'} · {p.id}
          </option>
        ))}
      </select>
    </Field>
  );
}

/**
 * The search: one box for any id, then the filters. Nothing applies until "Search", which puts
 * the whole state in the URL (so reload, back and a shared link show the same list).
 */
export function SearchForm(props: { state: SearchState; parties: Parties; errors: Errors; onSearch: (s: SearchState) => void }) {
  const [draft, setDraft] = useState(props.state);
  useEffect(() => setDraft(props.state), [props.state]);
  const zones = useMemo(allZones, []);
  const set = (key: keyof SearchState) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const input = (key: FilterKey | 'tz') => ({
    ...described(`f-${key}`, props.errors[key]),
    value: draft[key],
    onInput: (e: { currentTarget: HTMLInputElement }) => set(key)(e.currentTarget.value),
  });
  const { errors, parties } = props;

  return (
    <form
      class="search"
      role="search"
      aria-label="Conversions"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSearch({ ...draft, q: draft.q.trim(), cursor: '', page: 1 });
      }}
    >
      <div class="id-box">
        <Field
          id="f-q"
          label="Find by any id"
          error={errors.q}
          help="Conversion, click, advertiser transaction (txid), delivery or event id, or a workflow id. Exact match."
        >
          <input type="search" {...input('q')} {...described('f-q', errors.q, true)} autoComplete="off" spellcheck={false} />
        </Field>
        <button type="submit">Search</button>
      </div>
      <fieldset class="filters">
        <legend>Filters</legend>
        <Field id="f-status" label="Status" error={errors.status}>
          <select {...described('f-status', errors.status)} value={draft.status} onChange={(e) => set('status')(e.currentTarget.value)}>
            <option value="">Any status</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <PartyPicker
          id="f-offer_id"
          label="Offer"
          any="Any offer"
          value={draft.offer_id}
          options={parties.offers}
          error={errors.offer_id}
          onChange={set('offer_id')}
        />
        <PartyPicker
          id="f-affiliate_id"
          label="Affiliate"
          any="Any affiliate"
          value={draft.affiliate_id}
          options={parties.affiliates}
          error={errors.affiliate_id}
          onChange={set('affiliate_id')}
        />
        <PartyPicker
          id="f-advertiser_id"
          label="Advertiser"
          any="Any advertiser"
          value={draft.advertiser_id}
          options={parties.advertisers}
          error={errors.advertiser_id}
          onChange={set('advertiser_id')}
        />
        <Field id="f-goal" label="Goal" error={errors.goal}>
          <input type="text" {...input('goal')} size={10} />
        </Field>
        <Field id="f-reason_code" label="Reason code" error={errors.reason_code}>
          <input type="text" {...input('reason_code')} size={14} placeholder="e.g. too_fast" />
        </Field>
        <Field id="f-delivery_state" label="Delivery state" error={errors.delivery_state}>
          <select
            {...described('f-delivery_state', errors.delivery_state)}
            value={draft.delivery_state}
            onChange={(e) => set('delivery_state')(e.currentTarget.value)}
          >
            <option value="">Any</option>
            {deliveryStates.map((s) => (
              <option key={s} value={s}>
                has a {s.replace('_', '-')} delivery
              </option>
            ))}
          </select>
        </Field>
        <Field id="f-from" label="Received from (day)" error={errors.from}>
          <input type="date" {...input('from')} />
        </Field>
        <Field id="f-to" label="to (day, inclusive)" error={errors.to}>
          <input type="date" {...input('to')} />
        </Field>
        <Field id="f-tz" label="Time zone" error={errors.tz}>
          <select {...described('f-tz', errors.tz)} value={draft.tz} onChange={(e) => set('tz')(e.currentTarget.value)}>
            {!zones.includes(draft.tz) && <option value={draft.tz}>{draft.tz}</option>}
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </Field>
        <div class="filter-actions">
          <button type="submit" class="secondary">
            Apply filters
          </button>
          <a href="/ui/conversions">Clear all</a>
        </div>
      </fieldset>
    </form>
  );
}
