import { Agent, request } from 'undici';
import { isIP } from 'node:net';
import { addressAllowed, guardedLookup } from './address-guard';

export interface SendRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface SendResult {
  statusCode?: number;
  retryAfter?: string;
  durationMs: number;
  /** First 1 KiB of the response body. */
  excerpt?: string;
  /** The network error, when there was no HTTP answer. */
  error?: string;
  errorCode?: string;
}

const EXCERPT_BYTES = 1024;

/**
 * One HTTP request to an affiliate's endpoint: no redirects followed, a hard timeout, at most
 * 1 KiB of the answer read, and every connection's address checked by the guarded DNS lookup
 * (private and loopback networks only when allowlisted), so the check and the connection
 * cannot disagree.
 */
export function createSender(allowedNetworks: string[]) {
  const agent = new Agent({ connect: { lookup: guardedLookup(allowedNetworks) }, keepAliveTimeout: 10_000 });
  return async function send(req: SendRequest): Promise<SendResult> {
    const started = Date.now();
    // Node calls no lookup for a literal IP host, so the guard must look at it here.
    const host = new URL(req.url).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !addressAllowed(host, allowedNetworks)) {
      return {
        durationMs: 0,
        error: `EADDRNOTALLOWED: ${host} is a private, loopback or reserved address and not in DELIVERY_ALLOWED_NETWORKS`,
        errorCode: 'EADDRNOTALLOWED',
      };
    }
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: agent,
        maxRedirections: 0,
        signal: AbortSignal.timeout(req.timeoutMs),
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const excerpt = await readExcerpt(res.body);
      const retryAfter = res.headers['retry-after'];
      return {
        statusCode: res.statusCode,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        durationMs: Date.now() - started,
        excerpt,
      };
    } catch (err) {
      const e = err as Error & { code?: string; cause?: Error & { code?: string } };
      const timedOut =
        e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT';
      const reason = timedOut
        ? `timed out after ${req.timeoutMs} ms`
        : `${e.cause?.code ?? e.code ?? e.name}: ${e.cause?.message ?? e.message}`;
      return { durationMs: Date.now() - started, error: reason, errorCode: e.cause?.code ?? e.code };
    }
  };
}

export type Sender = ReturnType<typeof createSender>;

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= EXCERPT_BYTES) break; // the rest is never read: a huge answer costs us nothing
  }
  body.destroy();
  return Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
}
