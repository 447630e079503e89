import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/** Built binaries and classpaths live outside the clone so a fresh clone starts in seconds. */
export const cacheDir = process.env.POSTFLOW_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'postflow');

/** Absolute path of an executable on PATH, or undefined. */
export function which(command: string): string | undefined {
  try {
    const out = execFileSync('sh', ['-c', `command -v ${command}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Raised when no way to provide a component exists on this machine: printed as one line. */
export class MissingToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingToolError';
  }
}
