import type { Schemas } from '../../api/client';
import { statusLabel, statusTone } from './statuses';
import type { LiveRow } from './use-live-stream';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** The zone the times are shown in (the browser's), for the column header. */
export const timeZone = time.resolvedOptions().timeZone;

function When({ iso, full }: { iso: string; full?: boolean }) {
  const d = new Date(iso);
  return (
    <time dateTime={iso} title={dateTime.format(d)}>
      {(full ? dateTime : time).format(d)}
    </time>
  );
}

function ConversionDetail({ e }: { e: Schemas['LiveConversionEvent'] }) {
  return (
    <>
      {e.payout !== null ? `payout ${e.payout} ${e.currency ?? ''}` : 'not attributed yet'} · goal {e.goal}
      {e.txid && <> · txid {e.txid}</>}
      {e.reason_codes.length > 0 && <> · {e.reason_codes.join(', ')}</>}
    </>
  );
}

function DeliveryDetail({ e }: { e: Schemas['LiveDeliveryEvent'] }) {
  const answer = e.last_status_code !== undefined ? `HTTP ${e.last_status_code}` : (e.last_error ?? 'no answer');
  return (
    <>
      {e.event} postback · attempt {e.attempt_count}
      {e.run > 0 && <> of redelivery {e.run}</>} · {answer}
      {e.next_attempt_at && (
        <>
          {' '}
          · retry at <When iso={e.next_attempt_at} />
        </>
      )}
      {e.status_reason && <> · {e.status_reason}</>}
    </>
  );
}

export function EventRow({ row, names }: { row: LiveRow; names: { offers: Map<string, string>; affiliates: Map<string, string> } }) {
  const e = row.event;
  const conversionId = e.kind === 'conversion' ? e.id : e.conversion_id;
  return (
    <tr>
      <td class="nowrap">
        <When iso={e.at} />
      </td>
      <td>{e.kind === 'conversion' ? 'Conversion' : 'Delivery'}</td>
      <td>
        <span class={`badge ${statusTone(e.status)}`}>{statusLabel(e.status)}</span>
      </td>
      <td>
        <a class="mono" href={`/ui/conversions/${encodeURIComponent(conversionId)}`}>
          {conversionId}
        </a>
      </td>
      <td>{names.offers.get(e.offer_id) ?? <span class="mono">{e.offer_id}</span>}</td>
      <td>{names.affiliates.get(e.affiliate_id) ?? <span class="mono">{e.affiliate_id}</span>}</td>
      <td class="detail">{e.kind === 'conversion' ? <ConversionDetail e={e} /> : <DeliveryDetail e={e} />}</td>
    </tr>
  );
}
