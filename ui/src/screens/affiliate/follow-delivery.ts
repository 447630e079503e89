import { useEffect, useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';

type Delivery = Schemas['DeliveryWithAttempts'];
const POLL_MS = 500;
const FOLLOW_FOR_MS = 60_000;
const ended = (d: Delivery) => d.status === 'succeeded' || d.status === 'failed' || d.status === 'dead_lettered';

/** What the receiver answered on a delivery's last attempt, in a line. */
export function lastAnswer(d: Delivery): string {
  const last = d.attempts[d.attempts.length - 1];
  if (!last) return d.status_reason ?? d.status;
  const answer = last.status_code ? `HTTP ${last.status_code}` : (last.error ?? last.outcome);
  return last.response_excerpt ? `${answer}: ${last.response_excerpt.slice(0, 200)}` : answer;
}

/**
 * Follows one delivery (by id, once known) until its run ends, reading it every half second for
 * at most a minute; `since` restarts the follow (a redelivery starts a new run of the same delivery).
 */
export function useFollowDelivery(id: string | undefined, since: number) {
  const [state, setState] = useState<{ delivery?: Delivery; done: boolean; gaveUp?: boolean }>({ done: false });
  useEffect(() => {
    if (!id || !since) return;
    setState({ done: false });
    const deadline = Date.now() + FOLLOW_FOR_MS;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      const { data } = await api.GET('/api/deliveries/{id}', { params: { path: { id } } }).catch(() => ({ data: undefined }));
      // A redelivery's new run starts as pending: an ended run from before it was started does not count.
      const fresh = data && Date.parse(data.updated_at) >= since - 1000;
      if (data && fresh && ended(data)) return setState({ delivery: data, done: true });
      if (data) setState({ delivery: data, done: false });
      if (Date.now() < deadline) timer = setTimeout(() => void poll(), POLL_MS);
      else setState((s) => ({ ...s, done: true, gaveUp: true }));
    };
    timer = setTimeout(() => void poll(), POLL_MS);
    return () => clearTimeout(timer);
  }, [id, since]);
  return state;
}
