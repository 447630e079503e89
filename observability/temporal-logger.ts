import type { LogLevel as TemporalLogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from './logger';

/** SDK metadata that means nothing to ops or must not be printed (a task token completes the activity). */
const dropped = new Set(['taskToken', 'spanContexts', 'isLocal']);
const renamed: Record<string, string> = { sdkComponent: 'component', workflowRunId: 'run_id', error: 'err' };

const conversionWorkflow = /^conversion-(cv_[A-Za-z0-9]+)/; // conversion-<id> and conversion-<id>-late-<status>
const deliveryWorkflow = /^delivery-(dl_[A-Za-z0-9]+)$/; // workflows/notify.ts, api/redeliver.ts

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The SDK's metadata as log fields: snake_case (`workflowId` → `workflow_id`, `activityType` →
 * `activity_type`), plus the business ids a workflow id encodes, so a conversion's lines can be
 * found by `conversion_id` whether the SDK, the workflow or an activity wrote them.
 */
export function temporalLogFields(meta: LogMetadata | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta ?? {})) {
    if (dropped.has(key) || value === undefined) continue;
    fields[renamed[key] ?? snake(key)] = value;
  }
  const workflowId = typeof fields.workflow_id === 'string' ? fields.workflow_id : undefined;
  if (workflowId) {
    fields.conversion_id ??= conversionWorkflow.exec(workflowId)?.[1];
    fields.delivery_id ??= deliveryWorkflow.exec(workflowId)?.[1];
  }
  for (const key of ['conversion_id', 'delivery_id']) if (fields[key] === undefined) delete fields[key];
  return fields;
}

const levels: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Temporal's Logger interface over pino, for `Runtime.install({ logger })`: the SDK's own lines,
 * the workflow logger (`log` from @temporalio/workflow, sent through a sink) and activity
 * loggers all end in the process's one JSON sink, filtered by its level.
 */
export class PinoTemporalLogger implements TemporalLogger {
  /** `infoAs: 'debug'` demotes a chatty source's INFO lines (the workflow bundler prints webpack's stats). */
  constructor(
    private readonly logger: Logger,
    private readonly opts: { infoAs?: 'info' | 'debug' } = {},
  ) {}

  log(level: TemporalLogLevel, message: string, meta?: LogMetadata): void {
    const method = level === 'INFO' ? (this.opts.infoAs ?? 'info') : (levels[level] ?? 'info');
    if (!this.logger.isLevelEnabled(method)) return;
    this.logger[method](temporalLogFields(meta), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
