/**
 * A position in the live stream: every change the stream carries has a key (changed_at, kind,
 * _id), ordered by the time the database stamped the change, then the kind, then the id. A
 * cursor is a key: "everything up to here was considered". A horizon cursor (rank 9, no id)
 * stands for "everything stamped at or before t", whatever its kind or id.
 *
 * The key is also the SSE event id, so a reconnecting client (Last-Event-ID) resumes on any API
 * process: the key says where in the shared database it stopped, not in one process's memory.
 */
export const kinds = ['conversion', 'delivery'] as const;
export type LiveKind = (typeof kinds)[number];

export interface Cursor {
  /** changed_at in milliseconds since the epoch. */
  t: number;
  /** 0 conversion, 1 delivery, 9 the horizon (after every kind at t). */
  rank: number;
  id: string;
}

const HORIZON_RANK = 9;
export const rankOf = (kind: LiveKind): number => kinds.indexOf(kind);

export const horizon = (t: number): Cursor => ({ t, rank: HORIZON_RANK, id: '' });

export function compareCursors(a: Cursor, b: Cursor): number {
  if (a.t !== b.t) return a.t - b.t;
  if (a.rank !== b.rank) return a.rank - b.rank;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export const maxCursor = (a: Cursor, b: Cursor): Cursor => (compareCursors(a, b) >= 0 ? a : b);
export const minCursor = (a: Cursor, b: Cursor): Cursor => (compareCursors(a, b) <= 0 ? a : b);

/** `<ms>-<rank>-<id>`: digits, one digit, then an id of our alphabet (ids are [A-Za-z0-9_-]). */
export const formatCursor = (c: Cursor): string => `${c.t}-${c.rank}-${c.id}`;

const pattern = /^(\d{1,15})-(\d)-([A-Za-z0-9_-]{0,64})$/;
export const cursorPattern = pattern.source;

export function parseCursor(text: string): Cursor | undefined {
  const match = pattern.exec(text);
  if (!match) return undefined;
  const rank = Number(match[2]);
  const id = match[3]!;
  if (rank === HORIZON_RANK ? id !== '' : rank >= kinds.length || id === '') return undefined;
  return { t: Number(match[1]), rank, id };
}

/*
 * A key's `t` is the stamp's whole millisecond. MongoDB stores dates to the millisecond, but the
 * embedded store (mongo-java-server) keeps `$currentDate` to the microsecond and compares at that
 * precision, while every date it sends back is cut to the millisecond. So the filters below
 * compare by whole milliseconds, [t, t + 1), never `changed_at == t`: a change stamped at
 * t + 0.4 ms is at key t here, in the window that holds t, whichever store answers. (Comparing
 * with `t` itself put such a change in the next window with a key behind that window's start, and
 * the stream dropped it as already sent: about 1 change in 150 never reached a listener.)
 */
const from = (t: number) => new Date(t);
const withinMs = (t: number) => ({ $gte: from(t), $lt: from(t + 1) });

/** The MongoDB filter, for the collection of `kind`, of the documents whose key is after `c`. */
export function afterFilter(c: Cursor, kind: LiveKind): Record<string, unknown> {
  const rank = rankOf(kind);
  if (rank > c.rank) return { changed_at: { $gte: from(c.t) } };
  if (rank < c.rank) return { changed_at: { $gte: from(c.t + 1) } };
  return { $or: [{ changed_at: { $gte: from(c.t + 1) } }, { changed_at: withinMs(c.t), _id: { $gt: c.id } }] };
}

/** The MongoDB filter, for the collection of `kind`, of the documents whose key is at or before `c`. */
export function upToFilter(c: Cursor, kind: LiveKind): Record<string, unknown> {
  const rank = rankOf(kind);
  if (rank < c.rank) return { changed_at: { $lt: from(c.t + 1) } };
  if (rank > c.rank) return { changed_at: { $lt: from(c.t) } };
  return { $or: [{ changed_at: { $lt: from(c.t) } }, { changed_at: withinMs(c.t), _id: { $lte: c.id } }] };
}

/** The MongoDB filter of the documents whose key is in millisecond `t`. */
export const withinMillisecond = (t: number): Record<string, unknown> => ({ changed_at: withinMs(t) });
