import type { Command } from 'commander';
import { commandContext, type CliIo } from '../context';
import { CliError, ExitCode } from '../errors';
import { table } from '../format';

export interface Readiness {
  status: string;
  checks: Record<string, string>;
}

export function registerHealth(program: Command, io: CliIo): void {
  program
    .command('health')
    .description('is the API ready? (GET /readyz: MongoDB and Temporal); needs no admin key')
    .addHelpText(
      'after',
      `
Exits 0 when ready, 6 when the API answers that a dependency is down, 4 when it cannot be reached.
--json prints the answer: {"status": "ready" | "unavailable", "checks": {...}}.

Example:
  npx postflow health --url http://api.internal:3000`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io);
      const api = ctx.api();
      const { status, body } = await api.getPublic<Readiness>('/readyz', [503]);
      if (ctx.json) ctx.printJson(body);
      else ctx.print(`${api.baseUrl}: ${body.status}\n${table(['dependency', 'state'], Object.entries(body.checks ?? {}))}`);
      if (status !== 200) {
        const down = Object.entries(body.checks ?? {})
          .filter(([, state]) => state !== 'ok')
          .map(([name]) => name);
        throw new CliError(ExitCode.unavailable, `not ready: ${down.join(', ') || body.status}`);
      }
    });
}
