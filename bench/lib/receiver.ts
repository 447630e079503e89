import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { FromReceiver, Receipt, ReceiverStats, ToReceiver } from './receiver-worker';

export type { Receipt, ReceiverStats } from './receiver-worker';

/** The parent's handle on the fake affiliate receiver (bench/lib/receiver-worker.ts). */
export class ReceiverProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<ReceiverProcess> {
    // fork() reuses process.execArgv, so under tsx the child gets tsx's loader too.
    const child = fork(path.join(__dirname, 'receiver-worker.ts'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await ask(child, undefined, 'ready');
    return new ReceiverProcess(child, (ready as Extract<FromReceiver, { type: 'ready' }>).port);
  }

  async stats(): Promise<ReceiverStats> {
    return ((await ask(this.child, { type: 'stats' }, 'stats')) as Extract<FromReceiver, { type: 'stats' }>).stats;
  }

  async receipts(): Promise<Receipt[]> {
    return ((await ask(this.child, { type: 'collect' }, 'receipts')) as Extract<FromReceiver, { type: 'receipts' }>).receipts;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'close' } satisfies ToReceiver);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Sends `msg` (or nothing, to await the first message) and resolves with the answer of type `expect`. */
function ask(child: ChildProcess, msg: ToReceiver | undefined, expect: FromReceiver['type']): Promise<FromReceiver> {
  return new Promise((resolve, reject) => {
    const onMessage = (answer: FromReceiver) => {
      if (answer.type !== expect) return;
      cleanup();
      resolve(answer);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`receiver exited (code ${code}) while waiting for ${expect}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (msg) child.send(msg);
  });
}
