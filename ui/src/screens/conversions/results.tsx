import type { Schemas } from '../../api/client';
import { StatusBadge } from '../../components/status-badge';
import type { Parties } from './parties';
import { browserZone, formatIn } from './time-zone';

type Conversion = Schemas['Conversion'];

const money = (value: string | null, currency: string | undefined) => (value === null ? '—' : `${value} ${currency ?? ''}`.trim());

/** One page of matches; every id links to its conversion page. */
export function ResultsTable(props: { rows: Conversion[]; zone: string; parties: Parties }) {
  const { rows, zone, parties } = props;
  // The conversion page shows times in the zone the search was made in.
  const tz = zone === browserZone() ? '' : `?tz=${encodeURIComponent(zone)}`;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Matching conversions">
      <table class="conversions">
        <thead>
          <tr>
            <th scope="col">Received ({zone})</th>
            <th scope="col">Conversion</th>
            <th scope="col">Status</th>
            <th scope="col">Offer</th>
            <th scope="col">Affiliate</th>
            <th scope="col">Goal</th>
            <th scope="col" class="num">
              Payout
            </th>
            <th scope="col" class="num">
              Revenue
            </th>
            <th scope="col">Click</th>
            <th scope="col">Txid</th>
            <th scope="col">Reason codes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id}>
              <td class="nowrap">{formatIn(c.created_at, zone)}</td>
              <td>
                <a class="mono" href={`/ui/conversions/${encodeURIComponent(c.id)}${tz}`}>
                  {c.id}
                </a>
              </td>
              <td>
                <StatusBadge status={c.status} />
              </td>
              <td>{parties.label('offers', c.offer_id)}</td>
              <td>{parties.label('affiliates', c.affiliate_id)}</td>
              <td>{c.goal}</td>
              <td class="num">{money(c.payout, c.currency)}</td>
              <td class="num">{money(c.revenue, c.currency)}</td>
              <td class="mono">{c.click_id}</td>
              <td class="mono">{c.txid ?? ''}</td>
              <td>{c.reason_codes.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
