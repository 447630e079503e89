import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config';
import { ensureWorkflowBundle } from './workflow-bundle';

/**
 * `npm run build:workflows [-- --out <file>] [--force]`: the worker's workflow bundle, built ahead
 * of time (run by `npm run build`, by `npm start` when the bundle is missing or stale, and by the
 * Dockerfile). Skips the build when the bundle beside its manifest already matches the sources.
 */
const { values } = parseArgs({ options: { out: { type: 'string' }, force: { type: 'boolean', default: false } } });
const out = path.resolve(values.out ?? loadConfigOrExit().worker.workflowBundle);
const quiet = { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error };

ensureWorkflowBundle(out, { force: values.force, log: (line) => console.log(`build:workflows: ${line}`), logger: quiet }).catch(
  (err: unknown) => {
    console.error(`build:workflows: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

function noop(): void {}
