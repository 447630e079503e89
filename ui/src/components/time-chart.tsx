import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** Plotted values; null is a gap. */
  values: (number | null)[];
  /** The exact figure for the legend, as the API gave it (money stays its decimal string). */
  show: (index: number) => string;
  color: string;
  /** Which y scale: 'y' (left axis) or 'y2' (right axis). */
  scale?: 'y' | 'y2';
  /** A dashed line, so series differ by more than colour. */
  dash?: boolean;
}

export interface TimeChartProps {
  title: string;
  /** Period starts, Unix seconds. */
  xs: number[];
  timezone: string;
  series: ChartSeries[];
  /** Axis labels: left, and right when a series uses 'y2'. */
  yLabel: string;
  y2Label?: string;
  /** Tick text of each axis (default: the number). */
  yTick?: (v: number) => string;
  y2Tick?: (v: number) => string;
  /** The left axis counts things: whole-number ticks only. */
  counts?: boolean;
}

const wholeSteps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7, 1e8];

const HEIGHT = 200;

/**
 * One uPlot time series in a figure: the x axis and the legend in the chosen time zone, the
 * legend showing each figure exactly as the API gave it. uPlot sets its sizes through
 * element.style, which the console's CSP allows.
 */
export function TimeChart({ chart: props }: { chart: TimeChartProps }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const { xs, series, timezone } = props;
    const twoAxes = series.some((s) => s.scale === 'y2');
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timezone),
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, max > 0 ? max : 1] },
        y2: { range: (_u, _min, max) => [0, max > 0 ? max : 1] },
      },
      series: [
        { label: 'Time', value: '{YYYY}-{MM}-{DD} {HH}:{mm}' },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          scale: s.scale ?? 'y',
          dash: s.dash ? [6, 4] : undefined,
          spanGaps: false,
          points: { show: xs.length <= 60 },
          value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => (idx === null ? '–' : s.show(idx)),
        })),
      ],
      axes: [
        { stroke: '#57606a' },
        {
          label: props.yLabel,
          stroke: '#57606a',
          size: 60,
          ...(props.counts ? { incrs: wholeSteps } : {}),
          values: (_u, ticks) => ticks.map((t) => (props.yTick ? props.yTick(t) : String(t))),
        },
        ...(twoAxes
          ? [
              {
                scale: 'y2',
                side: 1 as const,
                label: props.y2Label,
                stroke: '#57606a',
                size: 60,
                grid: { show: false },
                values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (props.y2Tick ? props.y2Tick(t) : String(t))),
              },
            ]
          : []),
      ],
    };
    const chart = new uPlot(opts, [xs, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [props]);
  const id = `chart-${props.title.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}`;
  return (
    <figure class="chart" aria-labelledby={id}>
      <figcaption id={id}>{props.title}</figcaption>
      <div ref={holder} class="chart-plot" />
    </figure>
  );
}
