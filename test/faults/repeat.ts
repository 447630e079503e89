import { spawn } from 'node:child_process';
import path from 'node:path';
import { MONGO_RECOVERY_DEADLINE_MS } from './support/recovery';

/**
 * Runs a MongoDB fault scenario again and again with different outage lengths and load rates,
 * and says in how many runs a process (api or worker) did not use MongoDB again within
 * MONGO_RECOVERY_DEADLINE_MS of its return, and which (issue 10: a client that never recovered).
 *
 *   npm run test:faults:repeat -- [--runs 10] [--scenario mongo-outage|mongo-crash]
 *
 * Each run is a whole jest run of the scenario (its own servers and processes); a failed run
 * keeps its logs, driver events included, and the folder is printed.
 */
const OUTAGES_MS = [15_000, 5_000, 30_000, 2_000, 10_000];
const RATES = [10, 15, 5];

interface RunResult {
  run: number;
  outageMs: number;
  rate: number;
  passed: boolean;
  seconds: number;
  recovery: Record<string, string>;
  /** Processes whose watchdog replaced a stuck client ('none', or '?' when the run printed no recovery line). */
  replaced: string;
  logs?: string;
  failure?: string;
}

function args(): { runs: number; scenario: string } {
  const argv = process.argv.slice(2);
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(value('runs') ?? 10);
  const scenario = value('scenario') ?? 'mongo-outage';
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer (got ${value('runs')})`);
  if (!['mongo-outage', 'mongo-crash'].includes(scenario))
    throw new Error(`--scenario must be mongo-outage or mongo-crash (got ${scenario})`);
  return { runs, scenario };
}

function runOnce(run: number, scenario: string, outageMs: number, rate: number): Promise<RunResult> {
  const started = Date.now();
  const root = path.join(__dirname, '..', '..');
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--selectProjects',
      'faults',
      '--runTestsByPath',
      `test/faults/${scenario}.test.ts`,
    ],
    {
      cwd: root,
      env: { ...process.env, POSTFLOW_FAULTS_OUTAGE_MS: String(outageMs), POSTFLOW_FAULTS_RATE: String(rate) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      const recoveryLine = /\[faults\] mongo recovery after \d+ ms down: (.*)/.exec(output)?.[1] ?? '';
      const pairs = recoveryLine
        .split(' ')
        .filter(Boolean)
        .map((pair) => pair.split('=') as [string, string]);
      const recovery = Object.fromEntries(pairs.filter(([p]) => p !== 'replaced'));
      const replaced = pairs.find(([p]) => p === 'replaced')?.[1] ?? '?';
      const failure = /● .*\n\n\s+(.*)/.exec(output)?.[1];
      resolve({
        run,
        outageMs,
        rate,
        passed: code === 0,
        seconds: Math.round((Date.now() - started) / 1000),
        recovery,
        replaced,
        logs: /logs kept in (\S+)/.exec(output)?.[1],
        failure,
      });
    });
  });
}

async function main(): Promise<void> {
  const { runs, scenario } = args();
  console.log(
    `${scenario} × ${runs}: outages ${OUTAGES_MS.join('/')} ms, load ${RATES.join('/')} postbacks/s in turn; ` +
      `a process must reach MongoDB again within ${MONGO_RECOVERY_DEADLINE_MS} ms`,
  );
  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    const outageMs = OUTAGES_MS[(run - 1) % OUTAGES_MS.length]!;
    const rate = RATES[(run - 1) % RATES.length]!;
    const r = await runOnce(run, scenario, outageMs, rate);
    results.push(r);
    const recovery =
      Object.entries(r.recovery)
        .map(([p, ms]) => `${p} ${ms === 'stuck' ? 'STUCK' : `${ms} ms`}`)
        .join(', ') || 'no recovery line';
    console.log(
      `run ${run}/${runs}: ${r.passed ? 'passed' : 'FAILED'} in ${r.seconds} s (down ${outageMs} ms, ${rate}/s); ` +
        `back on MongoDB: ${recovery}; clients replaced by the watchdog: ${r.replaced}` +
        `${r.failure ? `; ${r.failure}` : ''}${r.logs ? `; logs in ${r.logs}` : ''}`,
    );
  }
  const late = (r: RunResult) =>
    Object.entries(r.recovery)
      .filter(([, ms]) => ms === 'stuck' || Number(ms) > MONGO_RECOVERY_DEADLINE_MS)
      .map(([p]) => p);
  const stuck = results.filter((r) => late(r).length > 0);
  const failed = results.filter((r) => !r.passed);
  console.log(
    `\n${results.length - stuck.length} of ${results.length} runs: ` +
      `every process back on MongoDB within ${MONGO_RECOVERY_DEADLINE_MS / 1000} s` +
      `${stuck.length ? `; not in runs ${stuck.map((r) => `${r.run} (${late(r).join(', ')})`).join(', ')}` : ''}`,
  );
  console.log(
    `${results.length - failed.length} of ${results.length} runs passed every check` +
      `${failed.length ? `; failed: runs ${failed.map((r) => r.run).join(', ')}` : ''}`,
  );
  const all = Object.entries(
    results.reduce<Record<string, number[]>>((acc, r) => {
      for (const [p, ms] of Object.entries(r.recovery)) if (ms !== 'stuck') (acc[p] ??= []).push(Number(ms));
      return acc;
    }, {}),
  ).map(([p, list]) => `${p} max ${Math.max(...list)} ms`);
  if (all.length) console.log(`recovery: ${all.join(', ')}`);
  const rescued = results.filter((r) => r.replaced !== 'none' && r.replaced !== '?');
  console.log(
    `watchdog replaced a stuck client in ${rescued.length} of ${results.length} runs` +
      `${rescued.length ? ` (runs ${rescued.map((r) => `${r.run}: ${r.replaced}`).join(', ')})` : ''}`,
  );
  process.exitCode = stuck.length || failed.length ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(`test:faults:repeat: ${(err as Error).message}`);
  process.exit(2);
});
