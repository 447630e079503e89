import { ApiResponseError, CliError, ExitCode, type ApiErrorBody } from './errors';
import { missingKeyMessage, type AdminKey } from './settings';

export type Fetch = typeof fetch;
export type Query = Record<string, string | number | undefined>;

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

export interface ApiClientOptions {
  baseUrl: string;
  /** Looked up on the first admin call only: `health` needs no key, so an unreadable key file must not stop it. */
  key: () => AdminKey | undefined;
  timeoutMs: number;
  fetch?: Fetch;
}

/**
 * The postflow HTTP API as the CLI sees it: JSON in, JSON out, and every failure turned into a
 * CliError that says what to do (which URL was unreachable, where the key came from).
 */
export class ApiClient {
  private readonly fetch: Fetch;
  private key: AdminKey | undefined;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** An admin GET; a non-2xx answer throws. */
  async get<T>(path: string, query: Query = {}): Promise<T> {
    return (await this.request<T>('GET', path, { query })).body;
  }

  /** An admin POST with a JSON body; a non-2xx answer throws. */
  async post<T>(path: string, body: unknown = {}): Promise<T> {
    return (await this.request<T>('POST', path, { body })).body;
  }

  /** A public route whose error statuses are answers too (/readyz says 503 when not ready). */
  async getPublic<T>(path: string, okStatuses: number[]): Promise<ApiAnswer<T>> {
    return this.request<T>('GET', path, { admin: false, okStatuses });
  }

  private async request<T>(
    method: string,
    path: string,
    opts: { query?: Query; body?: unknown; admin?: boolean; okStatuses?: number[] },
  ): Promise<ApiAnswer<T>> {
    const url = new URL(this.options.baseUrl + path);
    for (const [name, value] of Object.entries(opts.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.admin !== false) {
      this.key ??= this.options.key();
      if (!this.key) throw new CliError(ExitCode.noKey, missingKeyMessage);
      headers.authorization = `Bearer ${this.key.value}`;
    }
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const label = `${method} ${url.pathname}${url.search}`;

    let res: Response;
    let text: string;
    try {
      res = await this.fetch(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw this.unreachable(err, method);
    }

    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const isJson = /\bjson\b/i.test(res.headers.get('content-type') ?? '') && body !== undefined;
    if (!isJson) {
      const excerpt = text.replace(/\s+/g, ' ').slice(0, 200);
      throw new CliError(
        ExitCode.unreachable,
        `${label} at ${this.options.baseUrl} → ${res.status} ${res.headers.get('content-type') ?? 'no content type'}, ` +
          `not postflow's JSON${excerpt ? `: ${excerpt}` : ''}\nIs --url / POSTFLOW_URL pointing at the postflow API?`,
      );
    }
    if ((res.status >= 200 && res.status < 300) || opts.okStatuses?.includes(res.status)) return { status: res.status, body: body as T };
    throw new ApiResponseError(res.status, body as ApiErrorBody, label, this.hintFor(res.status));
  }

  private hintFor(status: number): string | undefined {
    if (status === 401 && this.key)
      return `The key came from ${this.key.source}; pass the API's ADMIN_API_KEY with --key or POSTFLOW_ADMIN_KEY.`;
    return undefined;
  }

  private unreachable(err: unknown, method: string): CliError {
    const e = err as Error & { cause?: unknown };
    if (e?.name === 'TimeoutError') {
      const sent = method === 'GET' ? '' : ' The request may still be carried out by the API.';
      return new CliError(
        ExitCode.unreachable,
        `the postflow API at ${this.options.baseUrl} did not answer within ${this.options.timeoutMs / 1000} s (--timeout).${sent}`,
      );
    }
    return new CliError(
      ExitCode.unreachable,
      `could not reach the postflow API at ${this.options.baseUrl}: ${describeCause(e)}\n` +
        'Is it running? Set the address with --url or POSTFLOW_URL.',
    );
  }
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, TLS…) is in `cause`. */
export function describeCause(err: Error & { cause?: unknown }): string {
  const cause = err?.cause as (Error & { code?: string; errors?: Error[] }) | undefined;
  if (!cause) return err?.message ?? String(err);
  if (Array.isArray(cause.errors) && cause.errors.length > 0) return cause.errors.map((e) => e.message).join('; ');
  return cause.message || cause.code || String(cause);
}
