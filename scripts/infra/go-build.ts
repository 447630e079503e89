import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import readline from 'node:readline';
import { MissingToolError } from './paths';

export interface GoInstallOptions {
  go: string;
  /** What is built, for the log lines ("the Temporal server"). */
  what: string;
  /** `module/path/cmd@version` arguments; one `go install` builds them all (they must share a module and version). */
  packages: string[];
  /** The cache folder the binaries end up in; it appears only once complete. */
  target: string;
  /** Binaries `go install` must have produced (their names in GOBIN). */
  expect: string[];
  /** Runs in the staging folder after a successful build: rename binaries, copy files next to them. */
  finish?: (staging: string) => void;
  /** Said when the build fails: how to do without it. */
  hint: string;
  log: (line: string) => void;
}

/**
 * `go install` into a staging folder renamed into place once everything is there, so a build
 * killed half way is never picked up; heartbeat lines show progress during the minutes a cold
 * module cache takes. GOTOOLCHAIN=local never downloads another Go; CGO off gives static binaries.
 */
export async function goInstall(opts: GoInstallOptions): Promise<void> {
  const staging = `${opts.target}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  opts.log(`building ${opts.what} with Go, once, into ${opts.target} (a few minutes on a cold cache)`);
  const started = Date.now();
  const child = spawn(opts.go, ['install', ...opts.packages], {
    env: { ...process.env, GOBIN: staging, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' },
    cwd: staging,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let downloads = 0;
  let lastDownloadAt = Date.now();
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      if (line.startsWith('go: downloading')) {
        downloads += 1;
        lastDownloadAt = Date.now();
      }
      tail.push(line);
      if (tail.length > 20) tail.shift();
    });
  }
  const heartbeat = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    const phase = Date.now() - lastDownloadAt > 10_000 ? 'compiling' : 'downloading modules';
    opts.log(`  still building ${opts.what}: ${seconds} s, ${downloads} modules downloaded, ${phase}`);
  }, 15_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(heartbeat);
  try {
    const missing = opts.expect.filter((name) => !existsSync(`${staging}/${name}`));
    if (code !== 0 || missing.length > 0) {
      throw new MissingToolError(
        `building ${opts.what} failed (go install exit ${code}${missing.length ? `, no ${missing.join(', ')}` : ''}); ${opts.hint}. ` +
          `Last output:\n${tail.join('\n')}`,
      );
    }
    opts.finish?.(staging);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  rmSync(opts.target, { recursive: true, force: true });
  renameSync(staging, opts.target); // atomic: a half-built folder is never picked up
  opts.log(`built ${opts.what} in ${Math.round((Date.now() - started) / 1000)} s`);
}
