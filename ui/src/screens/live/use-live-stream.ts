import type { Schemas } from '../../api/client';
import type { paths } from '../../api/schema';
import { useEventSource, type StreamRow } from '../../components/use-event-source';

export type LiveEvent = Schemas['LiveEvent'];
export type LiveFilters = NonNullable<paths['/api/stream']['get']['parameters']['query']>;

/**
 * An event as shown, keyed by the document version it carries: a late change is sent with the
 * stream's position as its id, which other events may share (README, "Late changes").
 */
export type LiveRow = StreamRow<LiveEvent>;

export function streamUrl(filters: LiveFilters): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  const text = query.toString();
  return `/api/stream${text ? `?${text}` : ''}`;
}

const names = ['conversion', 'delivery'];
const toRow = (message: MessageEvent<string>): LiveRow => {
  const event = JSON.parse(message.data) as LiveEvent;
  return { rowKey: `${event.kind}:${event.id}:${event.at}`, event };
};

/** New conversions and delivery outcomes (GET /api/stream) as a list. */
export const useLiveStream = (filters: LiveFilters) => useEventSource(streamUrl(filters), names, toRow);
