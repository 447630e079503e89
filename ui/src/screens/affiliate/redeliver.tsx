import { useState } from 'preact/hooks';
import { api, problemMessage } from '../../api/client';
import { lastAnswer, useFollowDelivery } from './follow-delivery';

/** Redeliver one of the affiliate's deliveries (same event id, a new run), then show how that run ended. */
export function RedeliverButton({ deliveryId }: { deliveryId: string }) {
  const [since, setSince] = useState(0);
  const [problem, setProblem] = useState<string>();
  const followed = useFollowDelivery(deliveryId, since);
  const start = async () => {
    setProblem(undefined);
    const { error } = await api
      .POST('/api/deliveries/{id}/redeliver', { params: { path: { id: deliveryId } } })
      .catch((err: unknown) => ({ error: err }));
    if (error) setProblem(problemMessage(error));
    else setSince(Date.now());
  };
  if (problem)
    return (
      <span role="status" class="badge bad">
        Not redelivered: {problem}
      </span>
    );
  if (!since)
    return (
      <button type="button" class="secondary" onClick={() => void start()} aria-label={`Redeliver ${deliveryId}`}>
        Redeliver
      </button>
    );
  const d = followed.delivery;
  if (!followed.done || !d)
    return (
      <span role="status" class="badge">
        Redelivering…
      </span>
    );
  if (followed.gaveUp)
    return (
      <span role="status" class="badge warn">
        Still being attempted; reload the log later
      </span>
    );
  return (
    <span role="status" class={`badge ${d.status === 'succeeded' ? 'ok' : 'bad'}`}>
      {d.status === 'succeeded' ? 'Delivered' : 'Failed again'} ({lastAnswer(d)})
    </span>
  );
}
