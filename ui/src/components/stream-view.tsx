import type { ComponentChildren } from 'preact';
import { ErrorNotice } from './notice';
import type { Connection, useEventSource } from './use-event-source';

type Stream = ReturnType<typeof useEventSource<unknown>>;
type StreamLike = Pick<Stream, 'paused' | 'pause' | 'resume' | 'clear' | 'connection' | 'heldCount' | 'reconnect'> & {
  rows: readonly unknown[];
};

/** A streamed list's title with its Pause/Resume and Clear buttons (the live tail, the events). */
export function StreamHead({ id, title, stream }: { id: string; title: string; stream: StreamLike }) {
  return (
    <div class="live-head">
      <h1 id={id}>{title}</h1>
      <div class="live-controls">
        {stream.paused ? (
          <button type="button" onClick={stream.resume}>
            Resume
          </button>
        ) : (
          <button type="button" class="secondary" onClick={stream.pause}>
            Pause
          </button>
        )}
        <button type="button" class="secondary" onClick={stream.clear} disabled={stream.rows.length === 0}>
          Clear list
        </button>
      </div>
    </div>
  );
}

/** The line under the filters: connected, reconnecting, paused with how many wait; or, stopped for good, a way to reconnect. */
export function StreamState(props: {
  stream: StreamLike;
  what: ComponentChildren;
  states: Record<Exclude<Connection, 'stopped'>, string>;
}) {
  const { stream, what, states } = props;
  if (stream.connection === 'stopped')
    return (
      <ErrorNotice>
        {what} stopped: the server refused it or could not be reached. Check that postflow is running, then{' '}
        <button type="button" class="link" onClick={stream.reconnect}>
          reconnect
        </button>
        .
      </ErrorNotice>
    );
  return (
    <p class={`live-state${stream.paused ? ' paused' : ''}`} role="status">
      <span class={`dot${stream.connection === 'open' ? ' open' : ''}`} aria-hidden="true" />
      {stream.paused
        ? `Paused: ${stream.heldCount} new ${stream.heldCount === 1 ? 'event' : 'events'} waiting. Resume to show them.`
        : states[stream.connection]}
    </p>
  );
}
