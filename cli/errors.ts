/**
 * Exit codes, so scripts can tell "fix your command" from "the API said no" from "the API is
 * down" without parsing messages. Documented in `postflow --help` and the README.
 */
export const ExitCode = {
  ok: 0,
  /** A bug in the CLI itself: an unexpected exception. */
  internal: 1,
  /** Wrong arguments or options (unknown option, missing argument, bad number, bad --filter). */
  usage: 2,
  /** No admin key: none of --key, POSTFLOW_ADMIN_KEY, ADMIN_API_KEY or the development key file. */
  noKey: 3,
  /** The API could not be reached, timed out, or did not answer like a postflow API. */
  unreachable: 4,
  /** The API refused the request (4xx): not found, invalid request, wrong key, conflict. */
  refused: 5,
  /** The API failed (5xx) or is not ready (`health`). */
  unavailable: 6,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeHelp = `
Exit codes:
  0  success
  1  unexpected error in the CLI
  2  usage error (unknown option, missing or malformed argument)
  3  no admin key (--key, POSTFLOW_ADMIN_KEY, ADMIN_API_KEY or .postflow/admin-api-key)
  4  the API could not be reached, timed out or did not answer like postflow
  5  the API refused the request (4xx: not found, invalid request, wrong key, conflict)
  6  the API failed (5xx) or is not ready (health)`;

/** A failure the CLI reports as one message on stderr with its exit code (no stack trace). */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface ApiErrorBody {
  error?: unknown;
  message?: unknown;
  issues?: unknown;
}

/** The API answered with an error status; `body` is its JSON (`{error, message, issues?}`). */
export class ApiResponseError extends CliError {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
    readonly request: string,
    hint?: string,
  ) {
    super(status >= 500 ? ExitCode.unavailable : ExitCode.refused, describeApiError(status, body, request, hint));
    this.name = 'ApiResponseError';
  }
}

/**
 * `GET /api/x → 404 not_found: no conversion …`. A validation error's message already joins its
 * issues with "; ", so those get one line per wrong field instead.
 */
export function describeApiError(status: number, body: ApiErrorBody, request: string, hint?: string): string {
  const code = typeof body.error === 'string' ? body.error : 'error';
  const message = typeof body.message === 'string' ? body.message : JSON.stringify(body);
  const issues = Array.isArray(body.issues) ? (body.issues as { path?: unknown; message?: unknown }[]) : [];
  const lines = [issues.length > 0 ? `${request} → ${status} ${code}:` : `${request} → ${status} ${code}: ${message}`];
  for (const issue of issues) {
    const where = typeof issue?.path === 'string' && issue.path ? issue.path : '(request)';
    lines.push(`  ${where}: ${typeof issue?.message === 'string' ? issue.message : JSON.stringify(issue)}`);
  }
  if (hint) lines.push(hint);
  return lines.join('\n');
}
