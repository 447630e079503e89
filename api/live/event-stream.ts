import { PassThrough } from 'node:stream';
import type { Context } from 'koa';

export interface EventStream {
  /** One event: `id` is the stream position, `event` its name (none: a plain `message`), `data` one line of JSON. */
  event(id: string, name: string | undefined, data: unknown): void;
  /** A comment line (ignored by clients), which keeps proxies from closing an idle stream; with `id`, moves the client's resume point. */
  heartbeat(id?: string): void;
  end(): void;
  /** Settles when the stream is over: ended here, or the client went away. */
  readonly done: Promise<void>;
}

/** A client that reads slower than this much is cut off; its EventSource reconnects and resumes from its last id. */
const MAX_BUFFERED = 1024 * 1024;

/**
 * Makes ctx's answer a text/event-stream (Server-Sent Events). The frames are written by hand:
 * an event is three `field: value` lines, and JSON.stringify never emits a raw newline, so one
 * `data:` line always holds the whole object. The body is a stream Koa pipes, so the access log,
 * metrics and error handling see this answer like any other.
 */
export function openEventStream(ctx: Context, opts: { retryMs: number }): EventStream {
  const body = new PassThrough();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.req.socket.setKeepAlive(true);
  ctx.status = 200;
  ctx.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    // nginx buffers answers unless told not to; a buffered stream arrives in lumps.
    'X-Accel-Buffering': 'no',
  });
  ctx.body = body;

  let over = false;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const end = () => {
    if (over) return;
    over = true;
    body.end();
    finish();
  };
  ctx.res.once('close', end);

  const write = (frame: string) => {
    if (over) return;
    body.write(frame);
    if (body.writableLength > MAX_BUFFERED) end();
  };
  // Sent at once, so the client has the headers (EventSource's open) before the first event.
  write(`retry: ${opts.retryMs}\n: connected\n\n`);
  return {
    event: (id, name, data) => write(`id: ${id}\n${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(data)}\n\n`),
    heartbeat: (id) => write(id ? `: keep-alive\nid: ${id}\n\n` : `: keep-alive\n\n`),
    end,
    done,
  };
}
