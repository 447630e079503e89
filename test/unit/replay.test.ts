import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { workflowsPath } from '../../worker/workflow-sources';

/**
 * Determinism guard: histories recorded from real runs must replay against today's workflow
 * code. A change that would break conversions already running fails here, not in production.
 * Record a new fixture with `temporal workflow show -w <id> --output json > test/fixtures/histories/<name>.json`.
 */
const dir = path.join(__dirname, '..', 'fixtures', 'histories');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

beforeAll(() => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
});

describe('workflow replay', () => {
  it('has at least one recorded history', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)('replays %s without nondeterminism', async (file) => {
    const history = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowsPath: workflowsPath() }, history, file)).resolves.toBeUndefined();
  });
});
