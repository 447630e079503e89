import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { consoleBuildDir } from '../api/console/static';
import { projectRoot } from '../system/project-root';

/**
 * Builds the ops console (ui/) with Vite into dist/ui, which the API serves at /ui. `npm start`
 * and the browser tests call ensureConsoleBuilt(), which builds only when the sources changed
 * since the last build (their hash is kept in dist/ui/build.json), so `npm ci && npm start`
 * is still all a newcomer runs. Assets are also written gzip- and brotli-compressed, which
 * @koa/send serves to browsers that accept them.
 */
const root = projectRoot();
const manifestFile = path.join(consoleBuildDir, 'build.json');

export interface ConsoleBuild {
  sourcesHash: string;
  builtAt: string;
  /** Bytes of JavaScript shipped, raw and gzipped (what the README states). */
  js: { bytes: number; gzipBytes: number };
  css: { bytes: number; gzipBytes: number };
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** sha256 over ui/ (paths and contents) and the lock file, which pins Vite, Preact and uPlot. */
export function consoleSourcesHash(): string {
  const hash = createHash('sha256');
  const sources = files(path.join(root, 'ui'))
    .map((f) => path.relative(root, f).split(path.sep).join('/'))
    .sort();
  for (const file of [...sources, 'package-lock.json'])
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(root, file)))
      .update('\0');
  return `sha256:${hash.digest('hex')}`;
}

export function readConsoleBuild(): ConsoleBuild | undefined {
  try {
    return JSON.parse(readFileSync(manifestFile, 'utf8')) as ConsoleBuild;
  } catch {
    return undefined;
  }
}

export function buildConsole(log: (line: string) => void = console.log): ConsoleBuild {
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const run = spawnSync(process.execPath, [vite, 'build', '--config', path.join(root, 'ui', 'vite.config.mts'), '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    // Always the production build: jest sets NODE_ENV=test, and Vite would keep Preact's debug paths for it.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (run.status !== 0) throw new Error(`vite build failed (exit ${run.status})`);
  const sizes = { js: { bytes: 0, gzipBytes: 0 }, css: { bytes: 0, gzipBytes: 0 } };
  for (const file of files(path.join(consoleBuildDir, 'assets'))) {
    const kind = file.endsWith('.js') ? 'js' : file.endsWith('.css') ? 'css' : undefined;
    if (!kind) continue;
    const content = readFileSync(file);
    const gz = gzipSync(content, { level: 9 });
    writeFileSync(`${file}.gz`, gz);
    writeFileSync(`${file}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    sizes[kind].bytes += content.length;
    sizes[kind].gzipBytes += gz.length;
  }
  const build: ConsoleBuild = { sourcesHash: consoleSourcesHash(), builtAt: new Date().toISOString(), ...sizes };
  writeFileSync(manifestFile, `${JSON.stringify(build, null, 2)}\n`);
  const size = (s: { bytes: number; gzipBytes: number }) =>
    `${(s.bytes / 1024).toFixed(1)} KiB (${(s.gzipBytes / 1024).toFixed(1)} KiB gzipped)`;
  log(`console built into ${path.relative(root, consoleBuildDir)}: JavaScript ${size(build.js)}, CSS ${size(build.css)}`);
  return build;
}

/** Builds the console when dist/ui is missing or was built from other sources; a no-op otherwise. */
export function ensureConsoleBuilt(log: (line: string) => void = console.log): ConsoleBuild {
  const found = readConsoleBuild();
  // An image ships dist/ui without ui/: nothing to compare with, the build it has is the one.
  if (found && !existsSync(path.join(root, 'ui', 'index.html'))) return found;
  if (found && found.sourcesHash === consoleSourcesHash()) return found;
  log(
    found
      ? 'the console sources changed since dist/ui was built: building it (npm run build:ui)'
      : 'building the console (npm run build:ui)',
  );
  return buildConsole(log);
}

if (require.main === module) {
  try {
    if (process.argv.includes('--if-changed')) ensureConsoleBuilt();
    else buildConsole();
  } catch (err) {
    console.error(`postflow: ${(err as Error).message}`);
    process.exit(1);
  }
}
