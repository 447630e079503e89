import { ApiError } from '../errors';

/** Where a page ended in the list's order (received_at descending, then _id ascending). */
export interface KeysetPosition {
  receivedAt: Date;
  id: string;
}

/** Opaque to the client: base64url of the last row's received_at and id. */
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.receivedAt.getTime(), position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const [ms, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof ms === 'number' && Number.isSafeInteger(ms) && typeof id === 'string' && id.length > 0) {
      const receivedAt = new Date(ms);
      if (!Number.isNaN(receivedAt.getTime())) return { receivedAt, id };
    }
  } catch {
    // falls through to the 400 below
  }
  throw new ApiError(400, 'invalid_request', 'cursor: must be the next_cursor of the previous page', [
    { path: 'cursor', code: 'custom', message: 'must be the next_cursor of the previous page' },
  ]);
}

/**
 * The rows after `position` in the list's order. Rows received in the same millisecond are told
 * apart by id, so no row is skipped or repeated however many share a timestamp.
 */
export function afterPosition(position: KeysetPosition): Record<string, unknown> {
  return {
    $or: [{ received_at: { $lt: position.receivedAt } }, { received_at: position.receivedAt, _id: { $gt: position.id } }],
  };
}

/** The list's order; the keyset condition above follows it. */
export const listOrder = { received_at: -1, _id: 1 } as const;
