import { describeServerOutage } from './support/server-outage';

/**
 * The same outages on POSTFLOW_TEMPORAL=cluster's Temporal: frontend, history, matching and
 * worker as four processes on PostgreSQL (scripts/infra/temporal-cluster.ts), each scenario on a
 * cluster of its own. One part goes down under steady load and comes back with the same ports
 * and data; the api and worker processes carry on without a restart, and nothing accepted is
 * lost. Skipped, with the reason, where the cluster cannot run (no Temporal server built and no
 * Go, or no PostgreSQL, or TEMPORAL_ADDRESS set).
 */

/**
 * History owns the shards: while it is gone, starting a workflow or completing a task fails
 * (postbacks answer 503 and are sent again); the other services and PostgreSQL stay up.
 */
describeServerOutage({
  title: 'fault (cluster): Temporal history service killed (SIGKILL) and restarted',
  victim: 'temporal',
  clusterPart: 'history',
  summary: 'cluster: history SIGKILL + restart',
  outageMs: 8_000,
  takeDown: (history) => history.kill(),
});

/**
 * Matching hands tasks to the workers: while it is gone, workflows can be started (history
 * takes them) but no task reaches a worker, so the backlog grows and drains once it is back.
 */
describeServerOutage({
  title: 'fault (cluster): Temporal matching service killed (SIGKILL) and restarted',
  victim: 'temporal',
  clusterPart: 'matching',
  summary: 'cluster: matching SIGKILL + restart',
  outageMs: 8_000,
  takeDown: (matching) => matching.kill(),
});

/**
 * PostgreSQL stops as it does when it crashes (immediate shutdown: no checkpoint, WAL replay at
 * the next start) and comes back on the same data: every service loses its store at once.
 */
describeServerOutage({
  title: "fault (cluster): Temporal's PostgreSQL crashed (immediate shutdown) and restarted",
  victim: 'temporal',
  clusterPart: 'postgres',
  summary: 'cluster: PostgreSQL immediate shutdown + restart',
  outageMs: 8_000,
  takeDown: (postgres) => postgres.kill(),
});
