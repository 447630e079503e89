import { useState } from 'preact/hooks';
import { api, problemMessage, type Schemas } from '../../api/client';
import { useCan } from '../../session';
import { When } from '../config/parts';
import { ShownOnce } from '../partners/shown-once';
import { CopyField } from '../config/copy-field';

type Rotated = Schemas['AdvertiserTokenRotated'];

/**
 * A new postback token, with the old one accepted for an overlap while the advertiser's systems
 * switch over. The new token is shown once, with the postback URL that carries it.
 */
export function TokenRotation({ advertiserId, onRotated }: { advertiserId: string; onRotated: () => void }) {
  const can = useCan();
  const [confirming, setConfirming] = useState(false);
  const [overlap, setOverlap] = useState('24');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [rotated, setRotated] = useState<Rotated>();
  if (!can('rotate_token'))
    return (
      <p>
        Only a hash of your token is kept, so it cannot be shown again. This session may not rotate it
        {can() ? '' : ' (it is read-only)'}: ask the network for a new one if it is lost.
      </p>
    );
  const rotate = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { data, error: problem } = await api.POST('/api/advertisers/{id}/token/rotate', {
        params: { path: { id: advertiserId } },
        body: { overlap_hours: Number(overlap) },
      });
      if (data) {
        setRotated(data);
        setConfirming(false);
        onRotated();
      } else setError(problemMessage(problem));
    } catch (err) {
      setError(problemMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p>
        Only a hash of your token is kept, so it cannot be shown again. If it is lost or may have leaked, rotate it: you get a new one, and
        the old one keeps working for the overlap you choose, so conversions sent meanwhile are not refused.
      </p>
      {rotated && (
        <ShownOnce
          id="new-token"
          title="New postback token"
          label="Postback token"
          value={rotated.postback_token}
          onDone={() => setRotated(undefined)}
        >
          <CopyField id="new-token-url" label="Postback URL with the new token" value={rotated.postback_url_template} />
          <p>
            Put it into your system now. The old token is accepted until <When at={rotated.rotation_overlap_ends_at} />, then refused with
            401 <code>invalid_token</code> (the postback log shows those calls).
          </p>
        </ShownOnce>
      )}
      {error && (
        <p class="notice error" role="alert">
          Not rotated: {error}
        </p>
      )}
      {confirming ? (
        <div class="entity-form" role="group" aria-label="Rotate the postback token">
          <div class="field">
            <label for="token-overlap">Keep the old token working for (hours)</label>
            <input
              id="token-overlap"
              type="number"
              min={0}
              max={720}
              value={overlap}
              aria-describedby="token-overlap-help"
              onInput={(e) => setOverlap(e.currentTarget.value)}
            />
            <p id="token-overlap-help" class="help">
              0 ends it at once; up to 720 (30 days). Rotating again within the overlap ends the older token at once.
            </p>
          </div>
          <div class="decision-actions">
            <button type="button" class="danger" disabled={busy} onClick={() => void rotate()}>
              {busy ? 'Rotating…' : 'Rotate the token'}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="secondary" onClick={() => setConfirming(true)}>
          Rotate the token…
        </button>
      )}
    </>
  );
}
