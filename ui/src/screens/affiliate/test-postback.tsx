import { useEffect, useState } from 'preact/hooks';
import { api, problemMessage } from '../../api/client';
import { useCan } from '../../session';
import { useLoad } from '../deliveries/use-load';
import { lastAnswer } from './follow-delivery';

const POLL_MS = 500;
const FOLLOW_FOR_MS = 60_000;
type Delivery = { id: string; status: string; conversion_id: string };
type Followed = { kind: 'waiting' } | { kind: 'ended'; deliveries: Delivery[]; answers: Record<string, string> } | { kind: 'none' };

/**
 * Fires a test conversion through the real pipeline (POST /api/affiliates/{id}/test-postbacks),
 * then follows it to its deliveries and shows what the affiliate's server answered.
 */
export function TestPostback({ affiliateId }: { affiliateId: string }) {
  const can = useCan();
  const offers = useLoad(() => api.GET('/api/affiliates/{id}/offers', { params: { path: { id: affiliateId } } }), [affiliateId]);
  const [offerId, setOfferId] = useState('');
  const [fired, setFired] = useState<{ conversion_id: string; at: number }>();
  const [problem, setProblem] = useState<string>();
  const [followed, setFollowed] = useState<Followed>({ kind: 'waiting' });

  useEffect(() => {
    if (!fired) return;
    setFollowed({ kind: 'waiting' });
    const deadline = Date.now() + FOLLOW_FOR_MS;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      const { data } = await api
        .GET('/api/deliveries', { params: { query: { conversion_id: fired.conversion_id } } })
        .catch(() => ({ data: undefined }));
      const list = data?.data ?? [];
      const done = list.length > 0 && list.every((d) => d.status === 'succeeded' || d.status === 'failed' || d.status === 'dead_lettered');
      if (done) {
        const answers: Record<string, string> = {};
        for (const d of list) {
          const full = await api.GET('/api/deliveries/{id}', { params: { path: { id: d.id } } });
          if (full.data) answers[d.id] = lastAnswer(full.data);
        }
        return setFollowed({ kind: 'ended', deliveries: list, answers });
      }
      if (Date.now() < deadline) timer = setTimeout(() => void poll(), POLL_MS);
      else setFollowed({ kind: 'none' });
    };
    timer = setTimeout(() => void poll(), POLL_MS);
    return () => clearTimeout(timer);
  }, [fired?.conversion_id]);

  if (!can('test_postbacks') || !offers.data || offers.data.data.length === 0) return null;
  const chosen = offerId || offers.data.data[0]!.id;
  const fire = async () => {
    setProblem(undefined);
    setFired(undefined);
    const { data, error } = await api
      .POST('/api/affiliates/{id}/test-postbacks', { params: { path: { id: affiliateId } }, body: { offer_id: chosen } })
      .catch((err: unknown) => ({ data: undefined, error: err }));
    if (data) setFired({ conversion_id: data.conversion_id, at: Date.now() });
    else setProblem(problemMessage(error));
  };
  return (
    <section aria-labelledby="test-title">
      <h2 id="test-title">Test postback</h2>
      <p class="help">
        Fires a test conversion through the real pipeline to your endpoints, marked as a test (the <code>{'{is_test}'}</code> macro is 1 and
        the header <code>X-Postflow-Test: 1</code> is sent). It is never paid and counts in no report.
      </p>
      <div class="actions">
        <label for="test-offer">Offer</label>
        <select id="test-offer" value={chosen} onChange={(e) => setOfferId(e.currentTarget.value)}>
          {offers.data.data.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void fire()}>
          Fire test postback
        </button>
      </div>
      {problem && (
        <p role="alert" class="field-error">
          Not fired: {problem}
        </p>
      )}
      {fired && (
        <div role="status" class="notice">
          <p>
            Test conversion <a href={`/ui/conversions/${fired.conversion_id}`}>{fired.conversion_id}</a> fired.{' '}
            {followed.kind === 'waiting' && 'Waiting for its postback…'}
            {followed.kind === 'none' &&
              'No postback has ended yet: maybe no endpoint takes its event (check their events), or a retry is due; see the delivery log.'}
          </p>
          {followed.kind === 'ended' && (
            <ul>
              {followed.deliveries.map((d) => (
                <li key={d.id}>
                  {d.status === 'succeeded' ? 'Delivered' : 'Not delivered'}: your server answered {followed.answers[d.id] ?? '—'}.{' '}
                  <a href={`/ui/deliveries?conversion_id=${encodeURIComponent(fired.conversion_id)}&open=${encodeURIComponent(d.id)}`}>
                    What was sent
                  </a>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
