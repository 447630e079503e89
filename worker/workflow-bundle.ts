import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot, workflowSourcesHash } from './workflow-sources';

/**
 * The prebuilt workflow bundle the worker runs (`WORKER_WORKFLOW_BUNDLE`). It is built ahead of
 * time by `npm run build:workflows` (scripts/build-workflows.ts), so webpack never runs in the
 * worker's heap; beside it lies a manifest with the hash of the sources it was built from.
 */
export interface BundleManifest {
  sourcesHash: string;
  builtAt: string;
}

export const manifestPath = (codePath: string) => `${codePath}.manifest.json`;

export function readManifest(codePath: string): BundleManifest | undefined {
  try {
    return JSON.parse(readFileSync(manifestPath(codePath), 'utf8')) as BundleManifest;
  } catch {
    return undefined;
  }
}

export type BundleState =
  { state: 'fresh'; manifest: BundleManifest; sourcesChecked: boolean } | { state: 'missing' | 'stale'; reason: string };

/** Whether the bundle at `codePath` was built from the workflow sources under `root` (when there are any). */
export function bundleState(codePath: string, root = projectRoot()): BundleState {
  if (!existsSync(codePath)) return { state: 'missing', reason: `workflow bundle ${codePath} does not exist` };
  const manifest = readManifest(codePath);
  const current = workflowSourcesHash(root);
  if (!manifest) return { state: 'stale', reason: `workflow bundle ${codePath} has no ${path.basename(manifestPath(codePath))} beside it` };
  if (current === undefined) return { state: 'fresh', manifest, sourcesChecked: false };
  if (manifest.sourcesHash !== current)
    return {
      state: 'stale',
      reason: `workflow bundle ${codePath} (built ${manifest.builtAt}) was built from other workflow sources than ${root} has now`,
    };
  return { state: 'fresh', manifest, sourcesChecked: true };
}

export interface VerifiedBundle {
  codePath: string;
  manifest: BundleManifest;
  /** False where no sources ship beside the code (the image): the bundle is trusted as built. */
  sourcesChecked: boolean;
}

export interface VerifiedBundle {
  codePath: string;
  manifest: BundleManifest;
  /** False where no sources ship beside the code (the image): the bundle is trusted as built. */
  sourcesChecked: boolean;
}

export class WorkflowBundleError extends Error {
  override name = 'WorkflowBundleError';
}

/**
 * The bundle the worker may run, or a WorkflowBundleError saying how to get one. A stale bundle
 * is refused rather than rebuilt: rebuilding would bring webpack back into the worker process,
 * and running it would execute code that is not the code in the tree.
 */
export function verifiedBundle(codePath: string, root = projectRoot()): VerifiedBundle {
  const found = bundleState(codePath, root);
  if (found.state !== 'fresh')
    throw new WorkflowBundleError(
      `${found.reason}: run \`npm run build:workflows\` (npm start and npm run build do it), ` +
        'or point WORKER_WORKFLOW_BUNDLE at a current bundle',
    );
  return { codePath, manifest: found.manifest, sourcesChecked: found.sourcesChecked };
}
