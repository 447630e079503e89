/**
 * Child-process entry of the fake affiliate receiver: a node:http server on 127.0.0.1, port 0,
 * that answers 200 at once and records each request's arrival (Date.now(), comparable with the
 * other processes' clocks) and its `e` (event id) and `c` (conversion id) query parameters. It runs
 * in its own process, as an affiliate's tracker would, so neither the API/worker's event loop nor
 * the load generator's delays when a delivery is seen to arrive.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ToReceiver = { type: 'stats' } | { type: 'collect' } | { type: 'close' };

export interface ReceiverStats {
  requests: number;
  /** Distinct conversion ids (`c`) seen. */
  conversions: number;
  /** Arrival of the latest request, Date.now() ms (0 before any). */
  lastAtMs: number;
}

/** One request: [event id, conversion id, Date.now() when its headers had arrived]. */
export type Receipt = [string, string, number];

export type FromReceiver =
  { type: 'ready'; port: number } | { type: 'stats'; stats: ReceiverStats } | { type: 'receipts'; receipts: Receipt[] };

const receipts: Receipt[] = [];
const conversions = new Set<string>();
let lastAtMs = 0;

const server = http.createServer((req, res) => {
  const at = Date.now();
  const query = new URL(req.url ?? '/', 'http://receiver').searchParams;
  const c = query.get('c') ?? '';
  receipts.push([query.get('e') ?? '', c, at]);
  conversions.add(c);
  lastAtMs = at;
  // At once, before any body: a tracker that acknowledges and queues, as the fast ones do.
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
  res.end('ok');
  req.resume();
});
// Longer than the sender's keep-alive (undici, 10 s) so the sockets are reused, not raced.
server.keepAliveTimeout = 30_000;

const reply = (msg: FromReceiver) => process.send?.(msg);

server.listen(0, '127.0.0.1', () => reply({ type: 'ready', port: (server.address() as AddressInfo).port }));

process.on('message', (msg: ToReceiver) => {
  if (msg.type === 'stats') reply({ type: 'stats', stats: { requests: receipts.length, conversions: conversions.size, lastAtMs } });
  else if (msg.type === 'collect') reply({ type: 'receipts', receipts });
  else {
    server.closeAllConnections();
    server.close(() => process.disconnect());
  }
});
