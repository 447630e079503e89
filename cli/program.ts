import { Command, CommanderError } from 'commander';
import { registerConversion } from './commands/conversion';
import { registerDeliveries } from './commands/deliveries';
import { registerEvents } from './commands/events';
import { registerHealth } from './commands/health';
import { registerRedeliver } from './commands/redeliver';
import { registerReport } from './commands/report';
import { registerRetention } from './commands/retention';
import { registerTrafficback } from './commands/trafficback';
import type { CliIo } from './context';
import { CliError, ExitCode, exitCodeHelp } from './errors';
import { positiveSeconds } from './options';
import { DEFAULT_TIMEOUT_SECONDS, DEFAULT_URL } from './settings';

const environmentHelp = `
Environment:
  POSTFLOW_URL        API base URL (default ${DEFAULT_URL}); --url overrides it
  POSTFLOW_ADMIN_KEY  the API's ADMIN_API_KEY; --key overrides it. Without either, ADMIN_API_KEY
                      itself, then the key \`npm start\` wrote to .postflow/admin-api-key
                      (DATA_DIR/admin-api-key), looked for from the current directory upwards`;

/** The whole CLI; settings given to `program` before `.command()` are inherited by every command. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('postflow')
    .description('Ops CLI for postflow: conversions and their timelines, deliveries, redelivery, reports, events and subscriptions.')
    .option('--url <url>', `API base URL (env POSTFLOW_URL, default ${DEFAULT_URL})`)
    .option('--key <key>', 'admin API key (env POSTFLOW_ADMIN_KEY or ADMIN_API_KEY, else .postflow/admin-api-key)')
    .option('--json', "print the API's JSON instead of tables, for scripts")
    .option('--timeout <seconds>', 'give up on a request after this long', positiveSeconds, DEFAULT_TIMEOUT_SECONDS)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `${environmentHelp}\n${exitCodeHelp}`);
  registerConversion(program, io);
  registerDeliveries(program, io);
  registerRedeliver(program, io);
  registerReport(program, io);
  registerEvents(program, io);
  registerTrafficback(program, io);
  registerRetention(program, io);
  registerHealth(program, io);
  return program;
}

/** Runs one command line (without `node` and the script) and returns the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    // Commander has printed its own message (or the help) already.
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    if (err instanceof CliError) {
      io.stderr(`postflow: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`postflow: unexpected error (a bug; please report it): ${(err as Error)?.stack ?? String(err)}\n`);
    return ExitCode.internal;
  }
}
