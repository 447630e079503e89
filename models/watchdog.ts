export interface WatchdogOptions {
  /** A round trip to the database through the client the process uses. */
  ping: () => Promise<void>;
  /** Replaces that client with a fresh one. */
  reconnect: () => Promise<void>;
  intervalMs: number;
  /** How long pings must have failed before the client is replaced; while that fails, it is tried every tick. */
  reconnectAfterMs: number;
  onReconnect?: (downForMs: number, error?: unknown) => void;
  now?: () => number;
}

/**
 * The driver reconnects by itself after MongoDB comes back, but in a few fault-injection runs
 * (test/faults/mongo-outage.test.ts) a loaded worker's client kept failing server selection on
 * one closed connection for minutes while the API, on the same server, had reconnected within
 * a second. Every workflow step waits meanwhile. This watchdog pings on a timer and, after
 * pings have failed for `reconnectAfterMs`, replaces the client; a real outage only means the
 * replacement fails too and is tried again later.
 */
export function startWatchdog(opts: WatchdogOptions): { stop(): void; tick(): Promise<void> } {
  const now = opts.now ?? Date.now;
  let failingSince: number | undefined;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      await opts.ping();
      failingSince = undefined;
    } catch {
      failingSince ??= now();
      const downFor = now() - failingSince;
      if (downFor >= opts.reconnectAfterMs) {
        try {
          await opts.reconnect();
          failingSince = undefined; // a fresh client gets a full period before it is judged
          opts.onReconnect?.(downFor);
        } catch (err) {
          opts.onReconnect?.(downFor, err); // still down: try again on the next tick
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
