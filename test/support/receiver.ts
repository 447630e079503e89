import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the next request gets: a status (with headers), or 'hang' (never answer). */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A fake affiliate tracker: a real HTTP server on 127.0.0.1, port 0, that records every request
 * and answers from a script (then `fallback`), so tests can make it fail, hang or throttle.
 * `port` brings a closed receiver back on its old address (an affiliate that was down).
 */
export async function startReceiver(opts: { port?: number } = {}) {
  const requests: ReceivedRequest[] = [];
  const script: Reply[] = [];
  let fallback: Reply = { status: 200, body: 'ok' };
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body, at: Date.now() });
      const reply = script.shift() ?? fallback;
      if (reply === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Replies for the next requests, in order. */
    reply(...replies: Reply[]) {
      script.push(...replies);
    },
    /** The reply once the script has run out. */
    otherwise(reply: Reply) {
      fallback = reply;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
