// parse-prometheus-text-format ships no types; this is the part of its output the tests read.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parsePrometheus = require('parse-prometheus-text-format') as (text: string) => MetricFamily[];

export interface MetricFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: {
    value?: string;
    count?: string;
    sum?: string;
    buckets?: Record<string, string>;
    labels?: Record<string, string>;
  }[];
}

/**
 * The families of a Prometheus text exposition; throws if the text does not parse. The parser
 * folds a labelled histogram's series into one and loses their labels, so histograms are also
 * read as untyped, which keeps each `<name>_count{…}` series as a family of its own.
 */
export function parseMetrics(text: string): Map<string, MetricFamily> {
  const families = new Map(parsePrometheus(text).map((family) => [family.name, family]));
  // Series of one histogram alternate (_bucket…, _sum, _count, _bucket…), so a name recurs: merge.
  const untyped = new Map<string, MetricFamily>();
  for (const family of parsePrometheus(text.replace(/^(# TYPE \S+) (histogram|summary)$/gm, '$1 untyped'))) {
    const seen = untyped.get(family.name);
    if (seen) seen.metrics.push(...family.metrics);
    else untyped.set(family.name, family);
  }
  for (const [name, family] of untyped) if (!families.has(name)) families.set(name, family);
  return families;
}

export async function scrape(url: string): Promise<{ contentType: string | null; text: string; families: Map<string, MetricFamily> }> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  const text = await res.text();
  return { contentType: res.headers.get('content-type'), text, families: parseMetrics(text) };
}

/**
 * The sum over the series of `name` whose labels include `labels`: a counter's value, or a
 * histogram's observation count. 0 when there is no such series yet.
 */
export function sample(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(families.get(name)?.type === 'HISTOGRAM' ? `${name}_count` : name);
  if (!family) return 0;
  return family.metrics
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value), 0);
}
