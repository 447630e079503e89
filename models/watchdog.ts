export interface WatchdogOptions {
  /** A round trip to the database through the client the process uses. */
  ping: () => Promise<void>;
  /** A round trip through a fresh, short-lived client: is the server itself reachable? */
  probe: () => Promise<void>;
  /** Replaces the process's client with a fresh one. */
  reconnect: () => Promise<void>;
  intervalMs: number;
  /** How long the server must have been reachable while the process's pings kept failing before the client is replaced. */
  stuckAfterMs: number;
  onReconnect?: (stuckForMs: number, error?: unknown) => void;
  now?: () => number;
}

/**
 * A safety net for a database client that does not recover by itself. The driver reconnects
 * on its own within a second of MongoDB coming back (test/faults: "MongoDB reachable again");
 * this covers the case seen in earlier fault runs where a process's client kept failing while
 * the server was up. While the process's pings fail, each tick asks a fresh client whether the
 * server answers: if not, it is a real outage and nothing is replaced (replacing a client during
 * an outage only turns waiting operations into errors); if the server has answered fresh
 * clients for `stuckAfterMs` while the process's client still fails, that client is stuck, and
 * it is replaced.
 */
export function startWatchdog(opts: WatchdogOptions): { stop(): void; tick(): Promise<void> } {
  const now = opts.now ?? Date.now;
  /** Since when a fresh client reaches the server while the process's client does not. */
  let stuckSince: number | undefined;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      await opts.ping();
      stuckSince = undefined;
    } catch {
      try {
        await opts.probe();
      } catch {
        stuckSince = undefined; // the server is down for everyone: an outage, not a stuck client
        return;
      }
      stuckSince ??= now();
      const stuckFor = now() - stuckSince;
      if (stuckFor >= opts.stuckAfterMs) {
        try {
          await opts.reconnect();
          stuckSince = undefined; // a fresh client gets a full period before it is judged
          opts.onReconnect?.(stuckFor);
        } catch (err) {
          opts.onReconnect?.(stuckFor, err); // try again on the next tick
        }
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}
