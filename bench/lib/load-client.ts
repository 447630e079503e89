import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { PhaseOptions, PhaseResult, RequestSpec } from './load';
import type { FromWorker, ToWorker } from './load-worker';

/**
 * The parent's handle on a load-generator child. One child per measured target: it keeps its
 * keep-alive connections and its position in `values` from the warm-up to the measured phase.
 */
export class LoadClient {
  private constructor(private readonly child: ChildProcess) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(target: { host: string; port: number }, spec: RequestSpec, maxSockets: number): Promise<LoadClient> {
    // fork() reuses process.execArgv, so under tsx the child gets tsx's loader too.
    const child = fork(path.join(__dirname, 'load-worker.ts'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const client = new LoadClient(child);
    await client.request({ type: 'init', target, spec, maxSockets }, 'ready');
    return client;
  }

  async run(options: PhaseOptions): Promise<PhaseResult> {
    const msg = await this.request({ type: 'run', options }, 'result');
    return (msg as Extract<FromWorker, { type: 'result' }>).result as PhaseResult;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'close' } satisfies ToWorker);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private request(msg: ToWorker, expect: FromWorker['type']): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const onMessage = (answer: FromWorker) => {
        cleanup();
        if (answer.type === 'error') reject(new Error(`load generator: ${answer.message}`));
        else if (answer.type !== expect) reject(new Error(`load generator: expected ${expect}, got ${answer.type}`));
        else resolve(answer);
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`load generator exited (code ${code}) while waiting for ${expect}`));
      };
      const cleanup = () => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(msg);
    });
  }
}
