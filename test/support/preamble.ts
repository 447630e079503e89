import { fixtures } from './fixtures';
import { processEnv, startEntry, workerReady, type Proc } from './processes';
import { startTestStack, uniqueName, type Settings, type TestStack } from './stack';
import { waitFor } from './wait-for';

/**
 * The preamble of a test file: a stack of its own, started before its tests and stopped after
 * them, and fixtures on it. The returned `stack` is filled in by beforeAll, so a file can take it
 * at the top and use it in its tests.
 */
export function useTestStack(prefix: string, settings: Settings = {}): { stack: TestStack; f: ReturnType<typeof fixtures> } {
  const stack = {} as TestStack;
  beforeAll(async () => {
    Object.assign(stack, await startTestStack(prefix, { settings }));
  });
  afterAll(async () => {
    await stack.stop?.();
  });
  return { stack, f: fixtures(stack) };
}

/** The shipped entry points of one test file, as processes; filled in by useProcesses' beforeAll. */
export interface Processes {
  env: Record<string, string>;
  apiUrl: string;
  api: Proc;
  /** The worker beforeAll started. */
  worker: Proc;
  /** Every worker process started, the first by beforeAll; the last one is the live one. */
  workers: Proc[];
  startWorker(): Proc;
}

/**
 * The preamble of an end-to-end file: api/server.ts and worker/main.ts as processes on the run's
 * servers, with their own database and task queue, ready (API answering /readyz, worker polling)
 * before the tests, and killed after them. `settings` may be computed in beforeAll (a free port).
 */
export function useProcesses(prefix: string, settings: Settings | (() => Promise<Settings>) = {}): Processes {
  const processes = { workers: [] as Proc[] } as Processes;
  beforeAll(async () => {
    const { env, apiUrl } = await processEnv(uniqueName(prefix), typeof settings === 'function' ? await settings() : settings);
    const startWorker = () => {
      const worker = startEntry('worker/main.ts', env);
      processes.workers.push(worker);
      return worker;
    };
    const worker = startWorker();
    Object.assign(processes, { env, apiUrl, startWorker, worker });
    processes.api = startEntry('api/server.ts', env);
    await waitFor('the API to be ready', async () => (await fetch(`${apiUrl}/readyz`)).status === 200, 60_000);
    await waitFor('the worker to be ready (its /readyz)', () => workerReady(worker), 60_000);
  });
  afterAll(() => {
    for (const p of [processes.api, ...processes.workers]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
  });
  return processes;
}
