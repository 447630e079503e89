import pino from 'pino';
import { scrubError, scrubText, scrubValue } from './redact';

export type Logger = pino.Logger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface LoggerOptions {
  /** Default `info`; processes pass LOG_LEVEL. */
  level?: LogLevel;
  /** `api` or `worker`: which process wrote the line. */
  service?: string;
  /** Where JSON lines go; default stdout. Tests pass a stream to capture them. */
  destination?: pino.DestinationStream;
}

/**
 * The one logger factory: JSON lines (`level`, `time` ISO, `service`, `msg`, fields in
 * snake_case). Every field and the message are scrubbed of secrets on the way out
 * (observability/redact.ts). pino's own `redact` option is not used: it matches fixed paths,
 * while secrets arrive nested in SDK metadata and inside URL and error strings.
 * pino does not pass a child's bindings through the formatters, so bindings carry ids only.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: opts.service ?? 'postflow', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => scrubValue(bindings) as Record<string, unknown>,
        log: (object) => scrubValue(object) as Record<string, unknown>,
      },
      serializers: {
        msg: (msg: unknown) => (typeof msg === 'string' ? scrubText(msg) : msg),
        // formatters.log has already turned errors into scrubbed plain objects; keep them as they are.
        err: (err: unknown) => (err instanceof Error ? scrubError(err) : err),
      },
    },
    opts.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}

/**
 * A logger that hands each line (JSON, no newline) of level `level` or above to a callback, for
 * callers that only collect lines: tests and benchmarks that count unexpected errors.
 */
export function callbackLogger(write: (line: string) => void, level: LogLevel = 'error'): Logger {
  return createLogger({ level, service: 'api', destination: { write: (line: string) => write(line.trimEnd()) } });
}
