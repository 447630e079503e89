import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/**
 * The console's only way to the server: the documented API, typed by the generated schema
 * (npm run ui:types), so a call the API does not document does not compile.
 */
export type Schemas = components['schemas'];

/** The session's CSRF token: kept in memory only (a reload asks GET /api/session again), never in storage. */
let csrfToken: string | undefined;
const signedOutListeners = new Set<() => void>();

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when any call answers 401: the session ended (expired, or signed out elsewhere). */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

const session: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !new URL(request.url).pathname.endsWith('/api/session')) signedOutListeners.forEach((l) => l());
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(session);

/** The API's error body: `{error, message, issues?}`; issues name each wrong field. */
export type ApiProblem = Schemas['Error'];

/** One message for an error answer (or a network failure), for a notice. */
export function problemMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') return error.message;
  return 'the server could not be reached: check that postflow is running, then try again';
}

/** Field errors by path ("goals.0.key"), for showing each next to its field. */
export function fieldErrors(error: unknown): Record<string, string> {
  const issues = (error as Partial<ApiProblem> | undefined)?.issues ?? [];
  const out: Record<string, string> = {};
  for (const issue of issues as { path?: string; message?: string }[])
    if (issue.path !== undefined) out[issue.path] ??= issue.message ?? 'invalid';
  return out;
}
