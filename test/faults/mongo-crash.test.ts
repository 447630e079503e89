import { describeServerOutage } from './support/server-outage';

/**
 * Scenario 4: MongoDB (file-backed, as `npm start` runs it) is SIGKILLed under steady load and
 * started again on the same file 5 s later. Nothing is flushed or closed, so only what the store
 * had written to its file before acknowledging survives: every click answered 302, every
 * accepted conversion, ledger line, cap reservation and attempt row must still be there
 * (issue 11: the stock H2 backend lost the last second of acknowledged writes).
 */
describeServerOutage({
  title: 'fault: MongoDB killed (SIGKILL) and restarted on the same file',
  victim: 'mongo',
  summary: 'MongoDB SIGKILL',
  outageMs: 5_000,
  takeDown: (mongo) => mongo.kill(),
});
