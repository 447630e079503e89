import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { ErrorNotice } from '../../components/notice';
import { CopyField } from './copy-field';
import { trackingLink } from './links';
import { useLoad } from './use-load';

/**
 * The link an affiliate sends its traffic to (GET /click → 302 to the offer's URL), for one
 * affiliate and one offer: given one of them, the other is picked from the active ones.
 */
export function TrackingLink(props: { affiliateId: string; offerId?: undefined } | { offerId: string; affiliateId?: undefined }) {
  const pickOffer = props.offerId === undefined;
  const choices = useLoad(async () => {
    const query = { params: { query: { active: 'true' as const, limit: 500 } } };
    const { data, error } = pickOffer ? await api.GET('/api/offers', query) : await api.GET('/api/affiliates', query);
    return { data: data?.data.map((e) => ({ id: e.id, name: e.name })), error };
  }, [pickOffer]);
  const [chosen, setChosen] = useState('');
  const [subs, setSubs] = useState(1);
  const other = chosen || choices.data?.[0]?.id || '';
  const [offerId, affiliateId] = pickOffer ? [other, props.affiliateId!] : [props.offerId!, other];
  const otherLabel = pickOffer ? 'Offer' : 'Affiliate';

  if (choices.error)
    return (
      <ErrorNotice>
        Could not read the {pickOffer ? 'offers' : 'affiliates'}: {choices.error}
      </ErrorNotice>
    );
  if (!choices.data) return null;
  if (choices.data.length === 0)
    return (
      <p>
        {pickOffer ? (
          <>
            No active offer yet: <a href="/ui/config/offers/new">create an offer</a> to get a tracking link.
          </>
        ) : (
          <>
            No active affiliate yet: <a href="/ui/config/affiliates/new">create an affiliate</a> to get a tracking link.
          </>
        )}
      </p>
    );
  return (
    <div class="tracking-link">
      <div class="field-row">
        <div class="field">
          <label for="tl-other">{otherLabel}</label>
          <select id="tl-other" value={other} onChange={(e) => setChosen(e.currentTarget.value)}>
            {choices.data.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.id})
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="tl-subs">Sub id placeholders</label>
          <select id="tl-subs" value={String(subs)} onChange={(e) => setSubs(Number(e.currentTarget.value))}>
            {[0, 1, 2, 3, 4, 5].map((n) => (
              <option key={n} value={String(n)}>
                {n === 0 ? 'none' : n === 1 ? 'sub1' : `sub1 to sub${n}`}
              </option>
            ))}
          </select>
        </div>
      </div>
      <CopyField
        id="tracking-link"
        label="Tracking link"
        value={trackingLink(window.location.origin, offerId, affiliateId, subs)}
        help={
          "The affiliate sends visitors here; postflow records the click and redirects to the offer's landing page. " +
          "Replace {sub1}… with the affiliate's own values (campaign, placement); they come back in its postbacks."
        }
      />
    </div>
  );
}
