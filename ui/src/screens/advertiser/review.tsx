import { useState } from 'preact/hooks';
import { api, problemMessage, type Schemas } from '../../api/client';
import { useCan } from '../../session';
import { reviewAllowed, type Offer } from './own-offers';

type Conversion = Schemas['Conversion'];

/**
 * Approve or decline a pending conversion, where its offer lets the advertiser decide
 * (`advertiser_can_review`) and the session may (`review_conversions`, not read-only). The API
 * decides in the end: a refusal is shown as it says it.
 */
export function ConversionReview({ conversion, offer, onChanged }: { conversion: Conversion; offer?: Offer; onChanged: () => void }) {
  const can = useCan();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string }>();
  if (conversion.status !== 'pending')
    return outcome ? (
      <p class="notice ok" role="status">
        {outcome.message}
      </p>
    ) : null;
  const allowed = reviewAllowed(offer);
  if (allowed === false)
    return (
      <div class="notice" role="status">
        <p>
          <strong>Waiting for the network's decision.</strong> This offer does not let you approve or decline its conversions: the network
          reviews them. Ask your account manager if you think it should.
        </p>
      </div>
    );
  if (!can('review_conversions'))
    return (
      <p class="notice" role="status">
        Pending. This session may not approve or decline conversions {can() ? '(it lacks the review capability)' : '(it is read-only)'}: ask
        the network for a sign-in link that can.
      </p>
    );
  const decide = async (status: 'approved' | 'declined') => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const { data, error } = await api.POST('/api/conversions/{id}/status', {
        params: { path: { id: conversion.id } },
        body: { status, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      });
      if (data) {
        setOutcome({ ok: true, message: `Done: the conversion is ${data.status}.` });
        onChanged();
      } else setOutcome({ ok: false, message: problemMessage(error) });
    } catch (err) {
      setOutcome({ ok: false, message: problemMessage(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="review" aria-labelledby="review-title">
      <h2 id="review-title">Your decision</h2>
      <p>This conversion is pending: approve it if the sale stands, decline it if it does not (a cancelled or fraudulent order).</p>
      <label for="review-reason">Reason (optional, kept in the history)</label>
      <input id="review-reason" value={reason} maxLength={500} onInput={(e) => setReason(e.currentTarget.value)} />
      <div class="decision-actions">
        <button type="button" disabled={busy} onClick={() => void decide('approved')}>
          Approve
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => void decide('declined')}>
          Decline
        </button>
      </div>
      {outcome && !outcome.ok && (
        <p class="notice error" role="alert">
          Not changed: {outcome.message}
        </p>
      )}
    </section>
  );
}
