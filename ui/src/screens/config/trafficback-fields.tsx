import type { Party } from '../conversions/parties';
import { SelectField, TextField, type Option } from './form-kit';
import { targetTypeLabels, targetUrlMacros, type TargetForm, type TargetType } from './trafficback-target';

const types = Object.entries(targetTypeLabels).map(([value, label]) => ({ value, label })) as { value: TargetType; label: string }[];

/** Offers to fall back to: by name, without `exclude` (the offer being edited), keeping an id the form holds that the list lacks. */
export function offerOptions(offers: Party[], current: string, exclude?: string): Option[] {
  const options: Option[] = [{ value: '', label: 'Choose an offer' }];
  if (current && !offers.some((o) => o.id === current)) options.push({ value: current, label: current });
  for (const o of offers) if (o.id !== exclude) options.push({ value: o.id, label: `${o.name}${o.active ? '' : ' (inactive)'} · ${o.id}` });
  return options;
}

/**
 * A trafficback target's fields at `path` (`trafficback.target`, `trafficback.affiliates.0.target`,
 * `target`): its type, then the offer or URL that type needs, so the API's `….offer_id` or `….url`
 * error lands on that input. `none` adds a "no target of its own" choice with that label.
 */
export function TargetFields(props: {
  path: string;
  label: string;
  target: TargetForm;
  offers: Party[];
  /** The offer being edited: not a choice for its own fallback. */
  exclude?: string;
  none?: string;
  help?: string;
}) {
  const { path, target } = props;
  const options: Option[] = props.none !== undefined ? [{ value: '', label: props.none }, ...types] : types;
  return (
    <div class="field-row target-fields">
      <SelectField path={`${path}.type`} label={props.label} options={options} help={props.help} />
      {target.type === 'offer' && (
        <SelectField
          path={`${path}.offer_id`}
          label="Fallback offer"
          required
          options={offerOptions(props.offers, target.offer_id, props.exclude)}
          help="The click goes on to it as a new click of the same affiliate."
        />
      )}
      {target.type === 'url' && (
        <TextField
          path={`${path}.url`}
          label="URL"
          required
          inputMode="url"
          placeholder="https://fallback.example/?click={click_id}&why={reason}"
          help={`A 302 to it. Macros: ${targetUrlMacros}.`}
        />
      )}
    </div>
  );
}
