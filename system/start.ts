import { Client } from '@temporalio/client';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type Koa from 'koa';
import type { Connection } from 'mongoose';
import { createApp, type AppDeps } from '../api/app';
import { EventTail } from '../api/live/event-tail';
import { LiveFeed } from '../api/live/feed';
import type { Config } from '../config';
import type { Models } from '../models';
import type { Logger } from '../observability/logger';
import { ensureRetentionSchedule } from '../retention/schedule';
import { connectTemporal, temporalWaitLog, untilReachable } from '../temporal/connect';
import { ensureSearchAttributes } from '../temporal/ensure-search-attributes';
import { createWorkers, type Workers } from '../worker/worker';
import { openStore } from './store';

/**
 * The one way postflow is wired, in the API and worker processes, the test stack and the
 * benchmarks: MongoDB → models → indexes → Temporal client → workers → app. Each caller says
 * which parts it runs; what it does with them (listen, wait for signals, drive app.callback())
 * stays with the caller.
 */
export interface SystemOptions {
  /**
   * A long-running process's start-up log. With it the system waits for MongoDB and Temporal
   * (services start in any order) and keeps a watchdog on its MongoDB client; without it
   * (tests, benchmarks) an unreachable server fails the start at once.
   */
  lifecycle?: Logger;
  /** Registers postflow's search attributes on a server that lacks them (an external TEMPORAL_ADDRESS). */
  registerSearchAttributes?: boolean;
  /**
   * Creates the Temporal Schedules of recurring work (the retention sweep, retention/schedule.ts),
   * or brings them to this configuration: the worker process does; tests and benchmarks opt in.
   */
  schedules?: boolean;
  /** Runs the conversion and delivery workers in this process. */
  workers?: { workflowBundle: WorkerOptions['workflowBundle']; now?: () => Date };
  /** Builds the API (it never listens): its logging, metrics and clock. */
  app?: Omit<AppDeps, 'config' | 'temporal' | 'mongo' | 'models'>;
  /** A throwaway database (tests, benchmarks): dropped by stop() once the workers are gone. */
  dropDatabaseOnStop?: boolean;
}

export interface System {
  config: Config;
  mongo: Connection;
  models: Models;
  client: Client;
  workers?: Workers;
  /** Settles when the workers stop (stop(), or SIGINT/SIGTERM through the SDK's runtime); rejects if one fails. */
  workersStopped?: Promise<void>;
  app?: Koa;
  /** The app's live stream: closing it ends every open stream, which a draining server must do first (api/server.ts). */
  live?: LiveFeed;
  /** The event feed's stream (GET /api/events/stream): closed with `live`, for the same reason. */
  eventTail?: EventTail;
  /** Stops the workers (in-flight tasks finish first), then closes every connection. */
  stop(): Promise<void>;
}

/** What a caller asked for is there: `workers` and `app` are typed as present when requested. */
export type StartedSystem<O extends SystemOptions> = System &
  (O extends { workers: object } ? { workers: Workers; workersStopped: Promise<void> } : unknown) &
  (O extends { app: object } ? { app: Koa } : unknown);

export async function startSystem<O extends SystemOptions>(config: Config, opts: O): Promise<StartedSystem<O>> {
  const { lifecycle } = opts;
  const closers: Array<() => Promise<void>> = [];
  // Every step runs even if one fails (a worker that died must not keep the connections open); the first failure is thrown.
  const closeAll = async () => {
    const failures: unknown[] = [];
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => failures.push(err));
    if (failures.length > 0) throw failures[0];
  };
  try {
    const store = await openStore(config.mongo.url, { lifecycle, logDriverEvents: config.log.mongoDriverEvents });
    closers.push(() => store.close());
    // Best effort: a failed drop leaves a stray database behind, never a failed stop.
    if (opts.dropDatabaseOnStop) closers.push(() => store.connection.dropDatabase().then(noop, noop));
    const { connection: mongo, models } = store;

    const { address, namespace } = config.temporal;
    const waitForTemporal = lifecycle ? temporalWaitLog(lifecycle, address) : undefined;
    const connection = await connectTemporal(address, waitForTemporal);
    closers.push(() => connection.close());
    const client = new Client({ connection, namespace });
    if (opts.registerSearchAttributes) {
      const added = await ensureSearchAttributes(connection, namespace);
      if (added.length > 0) lifecycle?.info({ added }, `registered search attributes: ${added.join(', ')}`);
    }

    let workers: Workers | undefined;
    let workersStopped: Promise<void> | undefined;
    if (opts.workers) {
      const native = await untilReachable(() => NativeConnection.connect({ address }), waitForTemporal);
      closers.push(() => native.close());
      const started = await createWorkers({
        connection: native,
        config,
        models,
        now: opts.workers.now,
        workflowBundle: opts.workers.workflowBundle,
      });
      workers = started;
      const stopped = started.run();
      workersStopped = stopped;
      closers.push(async () => {
        started.shutdown();
        await stopped;
      });
    }

    if (opts.schedules) {
      try {
        const { scheduleId, created } = await ensureRetentionSchedule(client, config);
        lifecycle?.info({ schedule_id: scheduleId }, `retention schedule "${scheduleId}" ${created ? 'created' : 'updated'}`);
      } catch (err) {
        // Conversions matter more than the sweep: a server without schedules gets a warning, not a dead worker.
        if (!lifecycle) throw err;
        lifecycle.warn({ err }, `could not create or update the retention schedule; data is not swept: ${(err as Error).message}`);
      }
    }

    let live: LiveFeed | undefined;
    let eventTail: EventTail | undefined;
    let app: Koa | undefined;
    if (opts.app) {
      const feed = (live = new LiveFeed({ models }));
      const tail = (eventTail = new EventTail({ models }));
      // First to close: open streams end before the connections they read go.
      closers.push(async () => {
        await Promise.all([feed.close(), tail.close()]);
      });
      app = createApp({ ...opts.app, config, temporal: client, mongo, models, live, eventTail });
    }
    const system: System = { config, mongo, models, client, workers, workersStopped, app, live, eventTail, stop: closeAll };
    return system as StartedSystem<O>;
  } catch (err) {
    await closeAll().catch(() => undefined);
    throw err;
  }
}

const noop = () => undefined;
