/**
 * A steady stream of clicks beside the postback load, as browsers send them: each `302` carries
 * a click id that the advertiser's postback will name later, so a click answered `302` must be
 * stored for good. Clicks that fail (the database is down) are simply lost visits, as in life,
 * and not retried; only the ones answered `302` are remembered and checked.
 */
export interface ClickStream {
  /** Click ids answered 302, in order. */
  readonly redirected: string[];
  /** Answers other than 302, by status or 'network' (expected only while a fault lasts). */
  readonly failures: Record<string, number>;
  stop(): void;
}

/** `apiUrls`: the API processes, taken in turn (a browser behind DNS round-robin). */
export function startClickStream(opts: { apiUrls: string[]; offerId: string; affiliateId: string; ratePerSecond: number }): ClickStream {
  const redirected: string[] = [];
  const failures: Record<string, number> = {};
  let stopped = false;
  let sent = 0;
  const startedAt = Date.now();
  const one = (n: number) => {
    void fetch(`${opts.apiUrls[n % opts.apiUrls.length]}/click?offer_id=${opts.offerId}&aff_id=${opts.affiliateId}&sub1=stream-${n}`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(20_000),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        const location = res.headers.get('location');
        if (res.status === 302 && location) redirected.push(new URL(location).searchParams.get('cid')!);
        else failures[String(res.status)] = (failures[String(res.status)] ?? 0) + 1;
      })
      .catch(() => (failures.network = (failures.network ?? 0) + 1));
  };
  // Paced against the start time, like the postback load.
  const pacer = setInterval(() => {
    if (stopped) return;
    const due = Math.floor(((Date.now() - startedAt) / 1000) * opts.ratePerSecond);
    while (sent < due) one(sent++);
  }, 20);
  return {
    redirected,
    failures,
    stop() {
      stopped = true;
      clearInterval(pacer);
    },
  };
}
