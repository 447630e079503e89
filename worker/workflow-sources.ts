import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../system/project-root';

export { projectRoot };

/**
 * What the workflow bundle is built from, and a hash of it: the worker compares that hash with
 * the one stored beside the bundle, so a bundle older than the code beside it never runs.
 */

/** The workflows' entry module, as the bundler and the replayer take it. */
export function workflowsPath(): string {
  return require.resolve('../workflows');
}

// Every directory workflows/ imports values from (eslint keeps the rest out of the bundle), and
// the lock file, which pins what the bundle takes from node_modules (@temporalio/workflow, luxon, big.js).
const SOURCE_DIRS = ['workflows', 'domain', 'temporal'];
const LOCK_FILE = 'package-lock.json';

function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/**
 * sha256 over the workflow sources under `root` (paths and contents) and the lock file; undefined
 * where there are no TypeScript sources to compare with (the image ships only dist/).
 */
export function workflowSourcesHash(root = projectRoot()): string | undefined {
  if (!existsSync(path.join(root, 'workflows', 'index.ts'))) return undefined;
  const hash = createHash('sha256');
  const files = [...SOURCE_DIRS.filter((d) => existsSync(path.join(root, d))).flatMap((d) => sourceFiles(root, d)), LOCK_FILE];
  for (const file of files) {
    const full = path.join(root, file);
    hash
      .update(`${file}\0`)
      .update(existsSync(full) ? readFileSync(full) : '(none)')
      .update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}
