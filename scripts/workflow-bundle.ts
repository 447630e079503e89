import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type Logger } from '@temporalio/worker';
import { manifestPath, bundleState, type BundleManifest } from '../worker/workflow-bundle';
import { workflowsPath, workflowSourcesHash } from '../worker/workflow-sources';

/**
 * Builds the workflow bundle with webpack (through the SDK's bundleWorkflowCode) in this process:
 * a build step, never the worker. Writes the bundle, then its manifest, each through a rename, so
 * a reader never sees half a file and a bundle without a manifest counts as stale.
 */
export async function buildWorkflowBundle(codePath: string, logger?: Logger): Promise<BundleManifest> {
  const sourcesHash = workflowSourcesHash();
  if (!sourcesHash) throw new Error('no workflow sources (workflows/index.ts) to bundle here');
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger });
  const manifest: BundleManifest = { sourcesHash, builtAt: new Date().toISOString() };
  mkdirSync(path.dirname(codePath), { recursive: true });
  writeAtomically(codePath, code);
  writeAtomically(manifestPath(codePath), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function writeAtomically(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

/** Builds the bundle unless it is there and matches the sources; says which, and why. */
export async function ensureWorkflowBundle(
  codePath: string,
  opts: { force?: boolean; log: (line: string) => void; logger?: Logger },
): Promise<{ built: boolean }> {
  const found = bundleState(codePath);
  if (found.state === 'fresh' && !opts.force) {
    opts.log(`workflow bundle ${codePath} is current (${found.manifest.sourcesHash.slice(0, 19)}…)`);
    return { built: false };
  }
  const t = Date.now();
  opts.log(`${found.state === 'fresh' ? 'rebuilding (forced)' : found.reason}: bundling the workflows`);
  const manifest = await buildWorkflowBundle(codePath, opts.logger);
  opts.log(`wrote ${codePath} in ${Date.now() - t} ms (${manifest.sourcesHash.slice(0, 19)}…)`);
  return { built: true };
}
