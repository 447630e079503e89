import { useState } from 'preact/hooks';
import { api, fieldErrors, problemMessage, type Schemas } from '../../api/client';
import { useCan } from '../../session';
import { CopyField } from '../config/copy-field';
import { useLoad } from '../config/use-load';
import { useOwnOffers } from './own-offers';

type Minted = Schemas['TestClickMinted'];

/**
 * A test of the advertiser's own integration: the API makes a test click on one of its offers,
 * and the advertiser's server posts it back with its real token. The conversion runs for real but
 * is flagged test (no report, cap or ledger moves), and the call shows in the postback log.
 */
export function TestPostback({ advertiserId }: { advertiserId: string }) {
  const can = useCan();
  const offers = useOwnOffers();
  // The test click needs an affiliate; the advertiser knows those its conversions came through.
  const recent = useLoad(() => api.GET('/api/conversions', { params: { query: { limit: 200 } } }), []);
  const affiliates = [...new Set((recent.data?.data ?? []).map((c) => c.affiliate_id))];
  const [offerId, setOfferId] = useState('');
  const [affiliateId, setAffiliateId] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ message: string; fields: Record<string, string> }>();
  const [minted, setMinted] = useState<Minted>();
  if (!can('test_postbacks')) return <p>This session may not make test postbacks: ask the network for a sign-in link that can.</p>;
  const active = offers.offers.filter((o) => o.active);
  const chosenOffer = offerId || active[0]?.id || '';
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const { data, error } = await api.POST('/api/advertisers/{id}/test-postbacks', {
        params: { path: { id: advertiserId } },
        body: { offer_id: chosenOffer, affiliate_id: affiliateId.trim() },
      });
      if (data) setMinted(data);
      else setProblem({ message: problemMessage(error), fields: fieldErrors(error) });
    } catch (err) {
      setProblem({ message: problemMessage(err), fields: {} });
    } finally {
      setBusy(false);
    }
  };
  if (active.length === 0 && offers.data) return <p>You have no active offer to test with.</p>;
  const fieldError = (path: string) =>
    problem?.fields[path] ? (
      <p id={`tp-${path}-error`} class="field-error">
        {problem.fields[path]}
      </p>
    ) : null;
  return (
    <>
      <p>
        Check your integration end to end: we make a test click, your server calls your postback URL for it with your real token, and the
        conversion runs like a real one, marked <strong>test</strong>: it costs nothing and counts in no report. Its call shows in the{' '}
        <a href="/ui/postback-log">postback log</a>.
      </p>
      <form class="entity-form" onSubmit={(e) => void submit(e)} noValidate aria-label="Test postback">
        <div class="field-row">
          <div class="field">
            <label for="tp-offer_id">Offer</label>
            <select id="tp-offer_id" value={chosenOffer} onChange={(e) => setOfferId(e.currentTarget.value)}>
              {active.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
            {fieldError('offer_id')}
          </div>
          <div class="field">
            <label for="tp-affiliate_id">Affiliate id</label>
            <input
              id="tp-affiliate_id"
              list="tp-affiliates"
              value={affiliateId}
              onInput={(e) => setAffiliateId(e.currentTarget.value)}
              aria-invalid={problem?.fields.affiliate_id ? 'true' : undefined}
              aria-describedby={`tp-affiliate_id-help${problem?.fields.affiliate_id ? ' tp-affiliate_id-error' : ''}`}
            />
            <datalist id="tp-affiliates">
              {affiliates.map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
            <p id="tp-affiliate_id-help" class="help">
              One your conversions came through (suggested as you type), or one the network gave you for testing.
            </p>
            {fieldError('affiliate_id')}
          </div>
        </div>
        {problem && (
          <p class="notice error" role="alert">
            No test click made: {problem.message}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Making a test click…' : 'Make a test click'}
        </button>
      </form>
      {minted && (
        <div class="notice ok" role="status">
          <p>
            <strong>Test click {minted.click_id} made.</strong> Have your server call this URL, with {'{txid}'} and {'{amount}'} filled in
            and {'{token}'} replaced by your token; then look for the call in the <a href="/ui/postback-log">postback log</a> and the
            conversion among <a href="/ui/conversions">your conversions</a>.
          </p>
          <CopyField id="test-postback-url" label="Test postback URL" value={`${window.location.origin}${minted.postback_url}`} />
        </div>
      )}
    </>
  );
}
