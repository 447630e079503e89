import { log } from './log';

/**
 * Runs a benchmark's main and exits explicitly: the Temporal SDK's native runtime can keep the
 * event loop alive after everything is closed, and a finished benchmark should not hang.
 */
export function runMain(main: () => Promise<void>): void {
  process.once('SIGINT', () => {
    // Embedded servers are killed with us (scripts/infra/child.ts); nothing is worth waiting for.
    log('interrupted');
    process.exit(130);
  });
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
