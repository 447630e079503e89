import { CheckField, Fieldset, SelectField, TextArea, TextField, type FormApi, type Option } from './form-kit';
import { newCap, newGoal, type OfferForm } from './offer-form-state';
import { TrafficbackSection } from './offer-trafficback';

const currencies = Intl.supportedValuesOf('currency');
const timeZones = ['UTC', ...Intl.supportedValuesOf('timeZone')];
const amountTypes: Option[] = [
  { value: 'fixed', label: 'fixed amount' },
  { value: 'percent', label: '% of the sale amount' },
];

/** Goal keys as options, keeping a value the form holds that no goal has (the API will say so next to it). */
function goalOptions(form: OfferForm, current: string, blank?: string): Option[] {
  const keys = form.goals.map((g) => g.key).filter(Boolean);
  const options: Option[] = blank !== undefined ? [{ value: '', label: blank }] : [];
  options.push(...keys);
  if (current && !keys.includes(current)) options.push({ value: current, label: `${current} (no such goal)` });
  return options;
}

function AmountRule({ path, legend, currency }: { path: string; legend: string; currency: string }) {
  return (
    <Fieldset path={path} legend={legend} class="inline">
      <SelectField path={`${path}.type`} label="Type" options={amountTypes} />
      <TextField
        path={`${path}.amount`}
        label={`Amount (${currency || 'currency'} or %)`}
        inputMode="decimal"
        placeholder="5.00"
        required
      />
    </Fieldset>
  );
}

function Goals({ form }: { form: FormApi<OfferForm> }) {
  const s = form.state;
  // Renaming a goal renames what points at it, so the default goal and caps follow.
  const renameGoal = (i: number, key: string) => {
    const old = s.goals[i]!.key;
    form.update({
      ...s,
      goals: s.goals.map((g, j) => (j === i ? { ...g, key } : g)),
      default_goal: s.default_goal === old ? key : s.default_goal,
      caps: s.caps.map((c) => (old && c.goal === old ? { ...c, goal: key } : c)),
    });
  };
  const removeGoal = (i: number) => {
    const goals = s.goals.filter((_, j) => j !== i);
    const gone = s.goals[i]!.key;
    form.restructure({ ...s, goals, default_goal: s.default_goal === gone ? (goals[0]?.key ?? '') : s.default_goal });
  };
  return (
    <Fieldset path="goals" legend="Goals: what a conversion pays" class="section">
      {s.goals.map((goal, i) => (
        <Fieldset key={i} path={`goals.${i}`} legend={`Goal ${i + 1}${goal.key ? `: ${goal.key}` : ''}`} class="item">
          <div class="field-row">
            <TextField
              path={`goals.${i}.key`}
              label="Key"
              required
              placeholder="sale"
              help="Sent by the advertiser as goal=…"
              onValue={(v) => renameGoal(i, v)}
            />
            <TextField path={`goals.${i}.name`} label="Name" />
          </div>
          <div class="field-row">
            <AmountRule path={`goals.${i}.payout`} legend="Payout to the affiliate" currency={s.currency} />
            <AmountRule path={`goals.${i}.revenue`} legend="Revenue from the advertiser" currency={s.currency} />
          </div>
          <div class="field-row">
            <SelectField
              path={`goals.${i}.default_status`}
              label="Status of a new conversion"
              options={[
                { value: 'approved', label: 'approved' },
                { value: 'pending', label: 'pending (until the advertiser approves)' },
              ]}
            />
            <TextField
              path={`goals.${i}.hold_hours`}
              label="Hold (hours)"
              inputMode="decimal"
              help="Pending conversions are approved after this long. Empty: they wait for the advertiser."
            />
          </div>
          <CheckField path={`goals.${i}.allow_multiple`} label="Allow more than one conversion per click (each with its own txid)" />
          {s.goals.length > 1 && (
            <button type="button" class="secondary small" onClick={() => removeGoal(i)}>
              Remove goal {i + 1}
            </button>
          )}
        </Fieldset>
      ))}
      <button type="button" class="secondary" onClick={() => form.restructure({ ...s, goals: [...s.goals, newGoal()] })}>
        Add a goal
      </button>
      <SelectField
        path="default_goal"
        label="Default goal"
        options={goalOptions(s, s.default_goal)}
        help="Used when a postback names no goal."
      />
    </Fieldset>
  );
}

function Caps({ form }: { form: FormApi<OfferForm> }) {
  const s = form.state;
  return (
    <Fieldset path="caps" legend="Caps: how many conversions (or how much payout) per period" class="section">
      {s.caps.length === 0 && <p class="help">No caps: conversions are not limited.</p>}
      {s.caps.map((cap, i) => (
        <Fieldset key={i} path={`caps.${i}`} legend={`Cap ${i + 1}`} class="item">
          <div class="field-row">
            <SelectField
              path={`caps.${i}.metric`}
              label="Counts"
              options={[
                { value: 'conversions', label: 'conversions' },
                { value: 'payout', label: 'payout' },
              ]}
            />
            <TextField
              path={`caps.${i}.limit`}
              label={cap.metric === 'payout' ? `Limit (${s.currency || 'currency'})` : 'Limit (conversions)'}
              inputMode="decimal"
              required
            />
            <SelectField path={`caps.${i}.period`} label="Per" options={['day', 'week', 'month', 'total']} />
          </div>
          <div class="field-row">
            <SelectField path={`caps.${i}.goal`} label="Goal" options={goalOptions(s, cap.goal, 'all goals')} />
            <TextField path={`caps.${i}.timezone`} label="Time zone" list="offer-time-zones" help="Where the day, week or month starts." />
            <SelectField
              path={`caps.${i}.on_exceed`}
              label="Over the cap"
              options={[
                { value: 'reject', label: 'reject the conversion' },
                { value: 'hold', label: 'hold it for review' },
              ]}
            />
          </div>
          <CheckField path={`caps.${i}.per_affiliate`} label="Count each affiliate separately" />
          <button type="button" class="secondary small" onClick={() => form.restructure({ ...s, caps: s.caps.filter((_, j) => j !== i) })}>
            Remove cap {i + 1}
          </button>
        </Fieldset>
      ))}
      <button type="button" class="secondary" onClick={() => form.restructure({ ...s, caps: [...s.caps, newCap()] })}>
        Add a cap
      </button>
    </Fieldset>
  );
}

function Fraud() {
  return (
    <Fieldset path="fraud" legend="Fraud rules" class="section">
      <div class="field-row">
        <TextField path="fraud.min_seconds_to_convert" label="Min seconds click → conversion" inputMode="numeric" />
        <TextField path="fraud.max_seconds_to_convert" label="Max seconds click → conversion" inputMode="numeric" />
        <TextField path="fraud.max_conversions_per_ip_per_day" label="Max conversions per IP per day" inputMode="numeric" />
      </div>
      <CheckField path="fraud.require_same_ip" label="Require the conversion's IP to be the click's" />
      <TextArea
        path="fraud.blocked_sub_ids"
        label="Blocked sub ids"
        rows={3}
        help="One per line: clicks carrying one of these as a sub id do not convert."
      />
      <SelectField
        path="fraud.action"
        label="When a rule fails"
        options={[
          { value: 'reject', label: 'reject the conversion' },
          { value: 'hold', label: 'hold it for review' },
        ]}
      />
      <p class="help">Empty fields are rules that are off.</p>
    </Fieldset>
  );
}

/**
 * The offer's fields (not its advertiser, which the page shows); the state is the API's shape, see
 * offer-form-state.ts. `offerId` is the offer being edited (not a fallback for itself).
 */
export function OfferFields({ form, offerId }: { form: FormApi<OfferForm>; offerId?: string }) {
  const s = form.state;
  const overridesOpen = s.affiliate_overrides.trim() !== '[]' || form.placed.some((e) => e.slot === 'affiliate_overrides');
  return (
    <>
      <div class="field-row">
        <TextField path="name" label="Name" required class="wide" />
        <SelectField
          path="active"
          label="Status"
          options={[
            { value: 'true', label: 'active' },
            { value: 'false', label: 'deactivated (its clicks go to trafficback)' },
          ]}
        />
      </div>
      <TextField
        path="url"
        label="Landing page URL"
        required
        inputMode="url"
        class="wide"
        placeholder="e.g. https://shop.example/landing?click={click_id}&src={sub1}"
        help={
          'Where a click is redirected. Macros: {click_id} (the advertiser sends it back in the postback), ' +
          '{offer_id}, {aff_id}, {sub1}…{sub5}.'
        }
      />
      <div class="field-row">
        <TextField
          path="currency"
          label="Currency"
          required
          list="offer-currencies"
          help="ISO 4217, e.g. USD. Payouts and caps are in it."
        />
        <TextField
          path="attribution_window_hours"
          label="Attribution window (hours)"
          inputMode="numeric"
          help="A conversion later than this after its click is refused."
        />
      </div>
      <datalist id="offer-currencies">
        {currencies.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <datalist id="offer-time-zones">
        {timeZones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <Goals form={form} />
      <Caps form={form} />
      <Fraud />
      <TrafficbackSection form={form} offerId={offerId} />
      <details class="section" open={overridesOpen}>
        <summary>Affiliate payout overrides (JSON)</summary>
        <TextArea
          path="affiliate_overrides"
          label="Overrides"
          rows={4}
          help={
            'A list such as [{"affiliate_id":"aff_…","goal":"sale","payout":{"type":"fixed","amount":"6.00"}}]: ' +
            'that affiliate earns this payout on that goal instead.'
          }
        />
      </details>
    </>
  );
}
