import { ErrorNotice } from '../../components/notice';
import { useParties, type Party } from '../conversions/parties';
import { timeZone } from '../deliveries/format';
import { Fieldset, SelectField, TextArea, TextField, type FormApi, type Option } from './form-kit';
import { newAffiliateTarget, type OfferForm } from './offer-form-state';
import { TargetFields } from './trafficback-fields';

/** Affiliates by name, keeping an id the row holds that the list lacks (the API will say so next to it). */
function affiliateOptions(affiliates: Party[], current: string): Option[] {
  const options: Option[] = [{ value: '', label: 'Choose an affiliate' }];
  if (current && !affiliates.some((a) => a.id === current)) options.push({ value: current, label: current });
  options.push(...affiliates.map((a) => ({ value: a.id, label: `${a.name}${a.active ? '' : ' (inactive)'} · ${a.id}` })));
  return options;
}

/**
 * The offer's trafficback (README "Trafficback"): when it turns clicks away besides pauses and
 * full caps (an expiry, blocked sub ids, duplicate clicks), and where they go: the affiliate's
 * target on this offer, else the offer's, else the global one (Configuration's first page).
 */
export function TrafficbackSection({ form, offerId }: { form: FormApi<OfferForm>; offerId?: string }) {
  const s = form.state;
  const { parties, failed } = useParties();
  const rows = s.trafficback.affiliates;
  const setRows = (affiliates: OfferForm['trafficback']['affiliates']) =>
    form.restructure({ ...s, trafficback: { ...s.trafficback, affiliates } });
  return (
    <Fieldset path="trafficback" legend="Trafficback: clicks this offer cannot take" class="section trafficback">
      <p class="help">
        A click is turned away when the offer is deactivated or expired, a cap is full, a sub id is blocked or the click repeats, and
        recorded with that reason (see <a href="/ui/trafficback">Trafficback</a>). It goes to the affiliate's target below, else the
        offer's, else the <a href="/ui/config">global target</a>.
      </p>
      {failed && <ErrorNotice>Offers and affiliates could not be loaded for the pickers: reload the page to choose by name.</ErrorNotice>}
      <div class="field-row">
        <TextField
          path="expires_at"
          type="datetime-local"
          label={`Expires at (${timeZone})`}
          help="Clicks after this go to trafficback as offer_expired. Empty: never."
          action={
            s.expires_at ? (
              <button type="button" class="secondary small" onClick={() => form.set('expires_at', '')}>
                Clear
              </button>
            ) : undefined
          }
        />
        <TextField
          path="duplicate_click_seconds"
          label="Duplicate clicks within (seconds)"
          inputMode="numeric"
          help="A second click of one IP for this offer and affiliate within this time is turned away. Empty: off."
        />
      </div>
      <TextArea
        path="blocked_click_subs"
        label="Blocked sub ids at click time"
        rows={3}
        help="One per line: a click carrying one as any sub id is turned away (the fraud rules' list instead refuses its conversions)."
      />
      <TargetFields
        path="trafficback.target"
        label="Where they go"
        target={s.trafficback.target}
        offers={parties.offers}
        exclude={offerId}
        none="None: the global target"
      />
      <Fieldset path="trafficback.affiliates" legend="Per affiliate (wins over the offer's target)" class="inline">
        {rows.length === 0 && <p class="help">None: every affiliate's clicks go where the offer's do.</p>}
        {rows.map((row, i) => (
          <Fieldset key={i} path={`trafficback.affiliates.${i}`} legend={`Affiliate target ${i + 1}`} class="item">
            <SelectField
              path={`trafficback.affiliates.${i}.affiliate_id`}
              label="Affiliate"
              required
              options={affiliateOptions(parties.affiliates, row.affiliate_id)}
            />
            <TargetFields
              path={`trafficback.affiliates.${i}.target`}
              label="Goes to"
              target={row.target}
              offers={parties.offers}
              exclude={offerId}
            />
            <button type="button" class="secondary small" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
              Remove affiliate target {i + 1}
            </button>
          </Fieldset>
        ))}
        <button type="button" class="secondary" onClick={() => setRows([...rows, newAffiliateTarget()])}>
          Add an affiliate's target
        </button>
      </Fieldset>
    </Fieldset>
  );
}
