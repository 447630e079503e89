import type { Schemas } from '../../api/client';
import { count, hasMoney, money, ms, percent } from './format';

type Overview = Schemas['Overview'];

function Figure({ label, children, note }: { label: string; children: preact.ComponentChildren; note?: preact.ComponentChildren }) {
  return (
    <div class="figure">
      <dt>{label}</dt>
      <dd>
        <span class="value">{children}</span>
        {note !== undefined && <span class="note">{note}</span>}
      </dd>
    </div>
  );
}

/** One line per currency: amounts of different currencies are never added. */
function PerCurrency({ totals, pick }: { totals: Overview['totals']; pick: (t: Overview['totals'][number]) => string }) {
  if (totals.length === 0) return <>–</>;
  return (
    <>
      {totals.map((t) => (
        <span class="per-currency" key={t.currency ?? 'unknown'}>
          {pick(t)}
        </span>
      ))}
    </>
  );
}

/** The range's totals, exactly as the API (and GET /api/reports) gives them. */
export function Headline({ data }: { data: Overview }) {
  const { deliveries, dead_letters } = data;
  const totals = data.totals.filter(hasMoney);
  const clicks = totals.reduce((n, t) => n + (t.clicks ?? 0), 0);
  const trafficback = data.totals.reduce((n, t) => n + (t.trafficback ?? 0), 0);
  const conversions = totals.reduce((n, t) => n + t.conversions.total, 0);
  const byStatus = (['approved', 'pending', 'held', 'declined', 'reversed', 'rejected', 'processing'] as const)
    .map((s) => [s, totals.reduce((n, t) => n + t.conversions[s], 0)] as const)
    .filter(([, n]) => n > 0);
  const d = deliveries.totals;
  return (
    <dl class="headline" aria-label="Totals">
      <Figure label="Clicks">{count(clicks)}</Figure>
      <Figure
        label="Trafficback"
        note={
          trafficback > 0 ? (
            <>
              turned away, not in Clicks: <a href="/ui/trafficback">see why</a>
            </>
          ) : (
            'clicks turned away, not in Clicks'
          )
        }
      >
        {count(trafficback)}
      </Figure>
      <Figure label="Conversions" note={byStatus.length > 0 ? byStatus.map(([s, n]) => `${s} ${count(n)}`).join(' · ') : undefined}>
        {count(conversions)}
      </Figure>
      <Figure label="Payout">
        <PerCurrency totals={totals} pick={(t) => money(t.payout, t.currency)} />
      </Figure>
      <Figure label="Revenue">
        <PerCurrency totals={totals} pick={(t) => money(t.revenue, t.currency)} />
      </Figure>
      <Figure label="Conversion rate">
        <PerCurrency
          totals={totals}
          pick={(t) => (totals.length > 1 ? `${percent(t.conversion_rate)} (${t.currency})` : percent(t.conversion_rate))}
        />
      </Figure>
      <Figure label="EPC">
        <PerCurrency totals={totals} pick={(t) => money(t.epc, t.currency)} />
      </Figure>
      <Figure label="Delivery success" note={`${count(d.succeeded)} of ${count(d.attempts)} attempts`}>
        {percent(d.success_rate)}
      </Figure>
      <Figure label="p95 delivery latency">{ms(d.p95_latency_ms)}</Figure>
      <Figure label="Dead letters now" note={dead_letters.now > 0 ? <a href="/ui/deliveries">review in Deliveries</a> : undefined}>
        {count(dead_letters.now)}
      </Figure>
    </dl>
  );
}
