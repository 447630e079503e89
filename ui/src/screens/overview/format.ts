/** Display of the API's figures: rates as percentages, counts grouped; money is never converted, only labelled. */
export const percent = (rate: number | null | undefined): string =>
  rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(2)} %`;
export const count = (n: number): string => n.toLocaleString('en-US');
export const money = (amount: string | null | undefined, currency: string | null): string =>
  amount === null || amount === undefined ? '–' : `${amount} ${currency ?? '(unknown currency)'}`;
/**
 * Whether a currency's figures hold more than trafficback: clicks on an offer that does not exist
 * have no currency, so the API gives them a total (and a series) of their own with no money; the
 * money figures and charts leave that one out (its count is in the Trafficback figure).
 */
export const hasMoney = (t: { currency: string | null; clicks: number | null | number[]; conversions: { total: number | number[] } }) =>
  t.currency !== null || [t.clicks ?? 0, t.conversions.total].flat().some((n) => n > 0);
export const ms = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : `${count(n)} ms`);

/** A period's start in the chosen zone, for headings and the range line. */
export function localTime(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(new Date(iso))
    .replace(',', '');
}
