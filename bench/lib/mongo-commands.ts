/**
 * Counts the MongoDB commands a process sends, through the driver's command monitoring (the
 * client must be created with `monitorCommands=true`). Each command is attributed to the
 * activity that sent it (the activity context travels with the driver's promise chain), so the
 * worker's database round trips are told apart from the API's and the benchmark's own polling.
 */
import { Context } from '@temporalio/activity';
import type { mongo } from 'mongoose';

/** Commands the driver sends for itself or on connect, never for an operation of ours. */
const PLUMBING = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'saslStart', 'saslContinue', 'endSessions', 'buildInfo']);

/** Where a command came from: the activity type that ran it, or `outside activities`. */
export const OUTSIDE_ACTIVITIES = 'outside activities';

export interface CommandCount {
  /** Activity type (screenConversion, …) or OUTSIDE_ACTIVITIES. */
  source: string;
  /** find, insert, update, … */
  command: string;
  collection: string;
  count: number;
}

export interface CommandCounter {
  /** Starts counting afresh (e.g. after a warm-up). */
  reset(): void;
  counts(): CommandCount[];
  stop(): void;
}

function activityType(): string {
  try {
    return Context.current().info.activityType;
  } catch {
    return OUTSIDE_ACTIVITIES; // not inside an activity: the API, the benchmark itself
  }
}

export function countMongoCommands(client: mongo.MongoClient): CommandCounter {
  const counts = new Map<string, CommandCount>();
  const onStarted = (event: mongo.CommandStartedEvent) => {
    if (PLUMBING.has(event.commandName)) return;
    const target = event.command[event.commandName] as unknown;
    const collection = typeof target === 'string' ? target : '-';
    const source = activityType();
    const key = `${source}\0${event.commandName}\0${collection}`;
    const entry = counts.get(key) ?? { source, command: event.commandName, collection, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  };
  client.on('commandStarted', onStarted);
  return {
    reset: () => counts.clear(),
    counts: () => [...counts.values()].sort((a, b) => a.source.localeCompare(b.source) || b.count - a.count),
    stop: () => client.off('commandStarted', onStarted),
  };
}

/** The MongoDB URL with the driver's command monitoring on (needed by countMongoCommands). */
export function withCommandMonitoring(url: string): string {
  const [base, query] = url.split('?', 2);
  const options = query ? `${query}&monitorCommands=true` : 'monitorCommands=true';
  return /^mongodb(\+srv)?:\/\/[^/]+$/.test(base!) ? `${base}/?${options}` : `${base}?${options}`;
}
