import { fixtures } from './fixtures';
import { startTestStack, type Settings, type TestStack } from './stack';

/**
 * The preamble of a test file: a stack of its own, started before its tests and stopped after
 * them, and fixtures on it. The returned `stack` is filled in by beforeAll, so a file can take it
 * at the top and use it in its tests.
 */
export function useTestStack(prefix: string, settings: Settings = {}): { stack: TestStack; f: ReturnType<typeof fixtures> } {
  const stack = {} as TestStack;
  beforeAll(async () => {
    Object.assign(stack, await startTestStack(prefix, { settings }));
  });
  afterAll(async () => {
    await stack.stop?.();
  });
  return { stack, f: fixtures(stack) };
}
