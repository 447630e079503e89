import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleState, manifestPath, verifiedBundle, WorkflowBundleError } from '../../worker/workflow-bundle';
import { workflowSourcesHash } from '../../worker/workflow-sources';

/** A stale bundle must never run silently: the worker compares the sources' hash with the one kept beside the bundle. */
describe('the prebuilt workflow bundle', () => {
  let root: string;
  let codePath: string;
  const write = (file: string, content: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  };
  const stamp = (sourcesHash: string | undefined) =>
    writeFileSync(manifestPath(codePath), JSON.stringify({ sourcesHash, builtAt: '2026-01-01T00:00:00.000Z' }));

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'postflow-bundle-'));
    write('workflows/index.ts', 'export {};\n');
    write('domain/status.ts', 'export const a = 1;\n');
    write('package-lock.json', '{}\n');
    codePath = path.join(root, 'dist', 'workflow-bundle.js');
    write('dist/workflow-bundle.js', '// bundle\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is fresh while the sources it was built from are unchanged', () => {
    stamp(workflowSourcesHash(root));
    expect(bundleState(codePath, root)).toMatchObject({ state: 'fresh', sourcesChecked: true });
  });

  it.each([
    ['a workflow source', 'workflows/index.ts'],
    ['a domain module the workflows import', 'domain/status.ts'],
    ['a new module', 'temporal/task-queues.ts'],
    ['the lock file (the SDK bundled in)', 'package-lock.json'],
  ])('is stale once %s changes', (_what, file) => {
    stamp(workflowSourcesHash(root));
    write(file, 'export const changed = true;\n');
    expect(bundleState(codePath, root)).toMatchObject({ state: 'stale', reason: expect.stringContaining('other workflow sources') });
    expect(() => verifiedBundle(codePath, root)).toThrow(WorkflowBundleError);
    expect(() => verifiedBundle(codePath, root)).toThrow(/npm run build:workflows/);
  });

  it('ignores tests beside the sources', () => {
    stamp(workflowSourcesHash(root));
    write('domain/status.test.ts', 'it.todo("x");\n');
    expect(bundleState(codePath, root).state).toBe('fresh');
  });

  it('is missing without the file, and stale without its manifest', () => {
    expect(bundleState(codePath, root)).toMatchObject({ state: 'stale', reason: expect.stringContaining('manifest') });
    rmSync(codePath);
    expect(bundleState(codePath, root).state).toBe('missing');
  });

  it('runs unchecked where no sources ship (the image has only dist/)', () => {
    stamp('sha256:built-elsewhere');
    rmSync(path.join(root, 'workflows'), { recursive: true });
    expect(bundleState(codePath, root)).toMatchObject({ state: 'fresh', sourcesChecked: false });
  });

  it('stops the worker process with one line before it connects to anything', () => {
    stamp('sha256:from-older-sources');
    const worker = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', '..', 'worker', 'main.ts')], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        WORKER_WORKFLOW_BUNDLE: codePath,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        MONGO_URL: 'mongodb://127.0.0.1:1/x',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(worker.status).toBe(1);
    expect(worker.stdout + worker.stderr).toMatch(/was built from other workflow sources than .* has now: run `npm run build:workflows`/);
  });
});
