import { startWatchdog } from '../../models/watchdog';

/** The watchdog's decisions, driven tick by tick with a fake clock (no database: a pure unit test). */
function harness(pingResults: boolean[], probeResults: boolean[] = [], reconnectResults: boolean[] = []) {
  let clock = 0;
  const events: string[] = [];
  const dog = startWatchdog({
    ping: async () => {
      if (!(pingResults.shift() ?? true)) throw new Error('server selection timed out');
    },
    probe: async () => {
      if (!(probeResults.shift() ?? true)) throw new Error('connect ECONNREFUSED');
    },
    reconnect: async () => {
      events.push(`reconnect@${clock}`);
      if (!(reconnectResults.shift() ?? true)) throw new Error('failed');
    },
    intervalMs: 60_000, // ticks are driven by hand
    stuckAfterMs: 30,
    onReconnect: (stuckFor, err) => events.push(`${err ? 'failed' : 'replaced'} after ${stuckFor}`),
    now: () => clock,
  });
  const tickAt = async (t: number) => {
    clock = t;
    await dog.tick();
  };
  return { events, tickAt, stop: dog.stop };
}

describe('MongoDB watchdog', () => {
  it('never replaces a client during an outage: fresh clients cannot reach the server either', async () => {
    const h = harness([false, false, false, false, false], [false, false, false, false, false]);
    for (const t of [0, 10, 20, 40, 60]) await h.tickAt(t);
    h.stop();
    expect(h.events).toEqual([]);
  });

  it('never replaces a client that recovers within the period after the server is back', async () => {
    const h = harness([false, false, false, true, false, true], [false, true, true, true]);
    for (const t of [0, 10, 20, 30, 40, 50]) await h.tickAt(t);
    h.stop();
    expect(h.events).toEqual([]);
  });

  it('replaces a client that keeps failing while the server answers fresh clients, then judges the new one afresh', async () => {
    // down until 10, back from 20 (probe ok), the client still failing at 50: stuck for 30.
    const h = harness([false, false, false, false, false, true, false], [false, false, true, true, true]);
    for (const t of [0, 10, 20, 30, 50, 60, 70]) await h.tickAt(t);
    h.stop();
    expect(h.events).toEqual(['reconnect@50', 'replaced after 30']);
  });

  it('when a replacement fails, tries again on the next tick', async () => {
    const h = harness([false, false, false, false], [true, true, true, true], [false, true]);
    for (const t of [0, 30, 35, 40]) await h.tickAt(t);
    h.stop();
    expect(h.events).toEqual(['reconnect@30', 'failed after 30', 'reconnect@35', 'replaced after 35']);
  });
});
