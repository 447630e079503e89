import { describeServerOutage } from './support/server-outage';

/**
 * Scenario 3: MongoDB (file-backed) is stopped for 15 s under steady load and started again.
 * Postbacks get 5xx while it is gone (the click cannot be looked up) and the advertiser
 * retries; activities fail and Temporal retries them; the api and the worker reconnect.
 */
describeServerOutage({
  title: 'fault: MongoDB stopped for 15 s and restarted',
  victim: 'mongo',
  summary: 'MongoDB stopped 15 s',
  outageMs: 15_000,
  takeDown: (mongo) => mongo.stop(),
});
