import { useMemo } from 'preact/hooks';
import type { Schemas } from '../../api/client';
import { TimeChart, type TimeChartProps } from '../../components/time-chart';
import { count, hasMoney, ms, percent } from './format';

type Overview = Schemas['Overview'];

// Colour-blind-safe (Okabe–Ito), with dashes on every second series.
const colors = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const statuses = ['approved', 'pending', 'held', 'declined', 'reversed', 'rejected', 'processing'] as const;

/** Decimal strings are plotted as numbers (the line only); the legend shows the strings themselves. */
const plot = (values: (string | null)[]) => values.map((v) => (v === null ? null : Number(v)));
const sumAcross = (series: Overview['series'], pick: (s: Overview['series'][number]) => number[], n: number) =>
  Array.from({ length: n }, (_, i) => series.reduce((sum, s) => sum + pick(s)[i]!, 0));

function chartsOf(data: Overview): TimeChartProps[] {
  const xs = data.periods.map((p) => Date.parse(p) / 1000);
  const n = xs.length;
  const base = { xs, timezone: data.timezone };
  const clicks = sumAcross(data.series, (s) => s.clicks, n);
  const charts: TimeChartProps[] = [
    {
      ...base,
      title: 'Clicks',
      yLabel: 'clicks',
      counts: true,
      series: [{ label: 'clicks', values: clicks, show: (i) => count(clicks[i]!), color: colors[0]! }],
    },
    {
      ...base,
      title: 'Conversions by status',
      yLabel: 'conversions',
      counts: true,
      series: statuses
        .map((status, k) => {
          const values = sumAcross(data.series, (s) => s.conversions[status], n);
          return { label: status, values, show: (i: number) => count(values[i]!), color: colors[k]!, dash: k % 2 === 1 };
        })
        .filter((s, k, all) => s.values.some((v) => v > 0) || (k === 0 && all.every((o) => o.values.every((v) => v === 0)))),
    },
  ];
  // Money and money per click: one chart per currency, never added across currencies.
  for (const s of data.series.filter(hasMoney)) {
    const cur = s.currency ?? 'unknown currency';
    charts.push({
      ...base,
      title: `Payout and revenue (${cur})`,
      yLabel: cur,
      series: [
        { label: 'payout', values: plot(s.payout), show: (i) => s.payout[i] ?? '–', color: colors[0]! },
        { label: 'revenue', values: plot(s.revenue), show: (i) => s.revenue[i] ?? '–', color: colors[1]!, dash: true },
      ],
    });
    charts.push({
      ...base,
      title: `Conversion rate and EPC (${cur})`,
      yLabel: 'conversion rate',
      y2Label: `EPC (${cur})`,
      yTick: (v) => `${+(v * 100).toFixed(2)} %`,
      series: [
        { label: 'conversion rate', values: s.conversion_rate, show: (i) => percent(s.conversion_rate[i]), color: colors[2]! },
        { label: 'EPC', values: plot(s.epc), show: (i) => s.epc[i] ?? '–', color: colors[3]!, scale: 'y2', dash: true },
      ],
    });
  }
  const d = data.deliveries;
  charts.push(
    {
      ...base,
      title: 'Delivery success rate',
      yLabel: 'success rate',
      yTick: (v) => `${+(v * 100).toFixed(1)} %`,
      series: [
        {
          label: 'attempts answered 2xx',
          values: d.success_rate,
          show: (i) => (d.attempts[i] ? `${percent(d.success_rate[i])} (${d.succeeded[i]} of ${d.attempts[i]})` : 'no attempts'),
          color: colors[2]!,
        },
      ],
    },
    {
      ...base,
      title: 'p95 delivery latency',
      yLabel: 'ms',
      series: [{ label: 'p95 latency', values: d.p95_latency_ms, show: (i) => ms(d.p95_latency_ms[i]), color: colors[1]! }],
    },
    {
      ...base,
      title: 'Dead-letter depth',
      yLabel: 'deliveries',
      counts: true,
      series: [
        {
          label: 'dead-lettered',
          values: data.dead_letters.depth,
          show: (i) => count(data.dead_letters.depth[i]!),
          color: colors[1]!,
        },
      ],
    },
  );
  return charts;
}

export function OverviewCharts({ data }: { data: Overview }) {
  const charts = useMemo(() => chartsOf(data), [data]);
  return (
    <div class="charts">
      {charts.map((c) => (
        <TimeChart key={c.title} chart={c} />
      ))}
    </div>
  );
}
