import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startTestStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack';

/**
 * The API keeps the promises of its own document: schemathesis, a third-party client, reads
 * /openapi.json from the real app (real Temporal and MongoDB, worker running) and sends what the
 * document allows and what it forbids, checking every answer against it
 * (test/schemathesis/run.sh; what it relaxes is justified in schemathesis.toml).
 */
describe('schemathesis against /openapi.json', () => {
  let stack: TestStack;
  let server: Server;
  let apiUrl: string;

  beforeAll(async () => {
    stack = await startTestStack('schemathesis');
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await stack?.stop();
  });

  it(
    'finds no failure with every check on, stateful phase included',
    async () => {
      const script = path.join(__dirname, '..', 'schemathesis', 'run.sh');
      const child = spawn(script, [apiUrl, TEST_ADMIN_KEY], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      // The whole report on failure: each failure comes with the curl command that reproduces it.
      expect({ code, output: code === 0 ? 'passed' : output }).toEqual({ code: 0, output: 'passed' });
    },
    15 * 60_000,
  );
});
