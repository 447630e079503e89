import { startWatchdog } from '../../models/watchdog';

/** The watchdog's decisions, driven tick by tick with a fake clock (no database: a pure unit test). */
function harness(pingResults: boolean[], reconnectResults: boolean[] = []) {
  let clock = 0;
  const events: string[] = [];
  const dog = startWatchdog({
    ping: async () => {
      const ok = pingResults.shift() ?? true;
      if (!ok) throw new Error('server selection timed out');
    },
    reconnect: async () => {
      events.push(`reconnect@${clock}`);
      if (!(reconnectResults.shift() ?? true)) throw new Error('still down');
    },
    intervalMs: 60_000, // ticks are driven by hand
    reconnectAfterMs: 30,
    onReconnect: (downFor, err) => events.push(`${err ? 'failed' : 'replaced'} after ${downFor}`),
    now: () => clock,
  });
  const tickAt = async (t: number) => {
    clock = t;
    await dog.tick();
  };
  return { events, tickAt, stop: dog.stop };
}

describe('MongoDB watchdog', () => {
  it('never replaces a client whose pings recover within the period', async () => {
    const h = harness([false, false, true, false, true]);
    for (const t of [0, 10, 20, 40, 60]) await h.tickAt(t);
    h.stop();
    expect(h.events).toEqual([]);
  });

  it('replaces the client once pings have failed for the whole period, then judges the new one afresh', async () => {
    const h = harness([false, false, false, false, true, false]);
    for (const t of [0, 10, 20, 30, 40, 50]) await h.tickAt(t);
    h.stop();
    expect(h.events).toEqual(['reconnect@30', 'replaced after 30']);
  });

  it('while the replacement fails (a real outage), tries again on every tick until it works', async () => {
    const h = harness([false, false, false, false, false], [false, false, true]);
    for (const t of [0, 30, 35, 40, 45]) await h.tickAt(t);
    h.stop();
    expect(h.events).toEqual(['reconnect@30', 'failed after 30', 'reconnect@35', 'failed after 35', 'reconnect@40', 'replaced after 40']);
  });
});
