import { describeServerOutage } from './support/server-outage';

/**
 * Scenario 2: the Temporal server (dev server with its SQLite database file) is SIGKILLed
 * under steady load and started again on the same port with the same file. Postbacks fail
 * (5xx or no answer) while it is gone and the advertiser retries them; the api and the worker
 * reconnect by themselves; every workflow started before the crash carries on.
 */
describeServerOutage({
  title: 'fault: Temporal server killed (SIGKILL) and restarted on the same port',
  victim: 'temporal',
  summary: 'Temporal server SIGKILL + restart',
  outageMs: 8_000,
  takeDown: (temporal) => temporal.kill(),
});
