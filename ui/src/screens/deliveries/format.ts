/** The browser's time zone, named on screen next to every time shown. */
export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** An API timestamp in the browser's zone (named once per screen, in its heading or help line). */
export function when(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

/** "in 12 min", "3 h ago": how far from now, for pauses and last errors. */
export function relative(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const [n, unit] =
    abs < 60_000
      ? [Math.round(abs / 1000), 's']
      : abs < 3_600_000
        ? [Math.round(abs / 60_000), 'min']
        : abs < 86_400_000
          ? [Math.round(abs / 3_600_000), 'h']
          : [Math.round(abs / 86_400_000), 'd'];
  return ms >= 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}

/** What each error class means, in the words an ops person would use. */
export const errorClassLabels: Record<string, string> = {
  http_3xx: 'Redirect (3xx)',
  http_4xx: 'Refused (4xx)',
  http_5xx: 'Server error (5xx)',
  http_other: 'Odd HTTP status',
  timeout: 'Timed out',
  connection: 'Connection failed',
  ssrf_refused: 'Address not allowed',
  signing: 'Could not sign',
  endpoint_inactive: 'Endpoint inactive',
  unknown: 'Unknown',
};

export const statusLabels: Record<string, string> = {
  failed: 'Failed (permanent answer)',
  dead_lettered: 'Dead-lettered (retries ran out)',
};
