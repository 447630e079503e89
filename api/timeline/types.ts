import { CENSOR, isSecretField } from '../../domain/secret-names';

/** One line of a conversion's timeline (GET /api/conversions/:id/history). */
export interface TimelineEntry {
  /** ISO 8601, UTC. */
  at: string;
  /** How long the step took (activity: start of its last attempt to its end; wait: timer), or null. */
  duration_ms: number | null;
  /** Which workflow told us: the conversion's, one of its deliveries', or a late status change. */
  source: 'conversion' | 'delivery' | 'late_status_change' | 'projection';
  workflow_id: string;
  kind: string;
  title: string;
  outcome: 'ok' | 'failed' | 'retrying' | 'waiting' | 'info';
  /** The attempt of a retried step. */
  attempt?: number;
  detail: Record<string, unknown>;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Copies a payload for display with every secret-looking field masked. */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSecretField(k) ? CENSOR : maskSecrets(v, depth + 1)]));
}

/** An activity the server reports as still being attempted (describe().pendingActivities). */
export interface PendingActivity {
  name: string;
  attempt: number;
  lastFailure?: string;
  nextAttemptAt?: number;
}
