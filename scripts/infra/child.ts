import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import net from 'node:net';
import readline from 'node:readline';

/** Where a child's output goes: a line prefix on our stdout (npm start) or a log file (tests). */
export type OutputSink = { prefix: string } | { file: string };

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after graceMs; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Children are killed with their parent: if it exits without stopping them (a crash), they get
 * SIGKILL, so no stray server keeps a port. Pass `detached: true` to keep them out of the
 * terminal's Ctrl-C so the parent can stop them in order.
 */
export function spawnChild(name: string, command: string, args: string[], sink: OutputSink, opts: SpawnOptions = {}): Child {
  const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  if ('file' in sink) {
    const log = createWriteStream(sink.file, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  } else {
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      readline.createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${sink.prefix} ${line}\n`));
    }
  }
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    name,
    process: child,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves once host:port accepts a TCP connection; rejects if the child exits or the deadline passes. */
export async function waitForPort(port: number, opts: { host?: string; timeoutMs: number; child?: Child; what: string }): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    const proc = opts.child?.process;
    if (proc && (proc.exitCode !== null || proc.signalCode !== null)) {
      throw new Error(`${opts.what} exited (code ${proc.exitCode ?? proc.signalCode}) before listening on ${host}:${port}`);
    }
    if (await canConnect(host, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${opts.what} did not listen on ${host}:${port} within ${Math.round(opts.timeoutMs / 1000)} s`);
}

export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A free TCP port on loopback, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
