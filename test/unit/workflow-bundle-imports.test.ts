import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What the workflow bundle pulls in. The SDK evaluates the bundle's modules again for every
 * workflow a worker starts (each workflow gets its own module state), so a library reachable from
 * workflows/ costs its start-up on every conversion: luxon did, through the retry schedule.
 * Type-only imports are erased by the compiler and cost nothing.
 */
const root = path.join(__dirname, '..', '..');
const IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

function packagesReachableFrom(entry: string): { packages: Set<string>; files: Set<string> } {
  const packages = new Set<string>();
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (!spec!.startsWith('.')) {
        packages.add(spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!);
        continue;
      }
      const base = path.resolve(path.dirname(file), spec!);
      const next = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => existsSync(f));
      if (!next) throw new Error(`${path.relative(root, file)} imports ${spec}, which is not a .ts file or folder`);
      visit(next);
    }
  };
  visit(entry);
  return { packages, files };
}

describe('the workflow bundle', () => {
  const { packages, files } = packagesReachableFrom(path.join(root, 'workflows', 'index.ts'));

  it('reaches no library but the Temporal workflow SDK', () => {
    expect([...packages].sort()).toEqual(['@temporalio/common', '@temporalio/workflow']);
  });

  it('is found by following the imports (the walk itself works)', () => {
    const relative = [...files].map((f) => path.relative(root, f));
    expect(relative).toEqual(expect.arrayContaining(['workflows/conversion.ts', 'workflows/delivery.ts', 'domain/retry-schedule.ts']));
    expect(relative).not.toContain('domain/retry-after.ts');
    // The header parsing the activity needs is where luxon went, and the walk sees it there.
    expect([...packagesReachableFrom(path.join(root, 'domain', 'retry-after.ts')).packages]).toEqual(['luxon']);
  });
});
