/**
 * Runs every benchmark in turn, each in a fresh process with its own embedded servers, so one
 * run's heap, JIT state, open workflows or Temporal runtime cannot colour the next.
 * Run: npx tsx bench/run-all.ts [--duration S] [--warmup S] [--rate R] [--delivery-rate R] [--e2e-rates R,R] [--e2e-duration S]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseFlags } from './lib/args';
import { log } from './lib/log';
import { resultsDir } from './lib/results';

const flags = parseFlags('npx tsx bench/run-all.ts [flags]', {
  duration: { help: 'measured seconds of the click, ingress and delivery runs', default: 20 },
  warmup: { help: 'warm-up seconds of every run', default: 3, min: 0 },
  rate: { help: 'arrival rate of the open-loop ingress run', default: 200 },
  'delivery-rate': { help: 'postback rate of the delivery run (open loop)', default: 25 },
  'e2e-rates': {
    type: 'numbers',
    help: 'rates of the end-to-end run (each with its Temporal baseline)',
    default: [10, 20, 40],
  },
  'e2e-duration': { help: 'measured seconds per rate and target of the end-to-end run', default: 60 },
});

const common = ['--duration', String(flags.duration), '--warmup', String(flags.warmup)];
const runs: Array<[string, string[]]> = [
  ['click-redirect.ts', common],
  ['ingress.ts', common],
  ['ingress.ts', [...common, '--rate', String(flags.rate)]],
  ['delivery.ts', [...common, '--rate', String(flags['delivery-rate'])]],
  [
    'end-to-end.ts',
    ['--rates', flags['e2e-rates'].join(','), '--duration', String(flags['e2e-duration']), '--warmup', String(flags.warmup)],
  ],
];

function runOne(file: string, args: string[]): Promise<number> {
  // process.execArgv carries tsx's loader, so the child runs TypeScript as we do.
  const child = spawn(process.execPath, [...process.execArgv, path.join(__dirname, file), ...args], {
    stdio: 'inherit',
  });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function main(): Promise<void> {
  const failed: string[] = [];
  for (const [file, args] of runs) {
    const label = `${file} ${args.join(' ')}`;
    log(`=== ${label}`);
    const code = await runOne(file, args);
    if (code !== 0) failed.push(`${label} (exit ${code})`);
  }
  if (failed.length > 0) {
    log(`failed: ${failed.join('; ')}`);
    process.exitCode = 1;
  } else {
    log(`all benchmarks finished; see ${resultsDir}/*-latest.md`);
  }
}

void main();
