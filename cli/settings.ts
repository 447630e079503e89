import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, ExitCode } from './errors';

export const DEFAULT_URL = 'http://localhost:3000';
export const DEFAULT_TIMEOUT_SECONDS = 30;

/** The options every command inherits from the program (`--url`, `--key`, `--json`, `--timeout`). */
export interface GlobalOptions {
  url?: string;
  key?: string;
  json?: boolean;
  timeout?: number;
}

export interface AdminKey {
  value: string;
  /** Where it came from, named in the hint when the API refuses it. */
  source: string;
}

export type Env = Record<string, string | undefined>;

/** `--url`, else POSTFLOW_URL, else the local default; only http(s), without a trailing slash. */
export function resolveUrl(flag: string | undefined, env: Env): string {
  const raw = flag ?? env.POSTFLOW_URL ?? DEFAULT_URL;
  const from = flag !== undefined ? '--url' : env.POSTFLOW_URL !== undefined ? 'POSTFLOW_URL' : 'the default';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(ExitCode.usage, `${from} "${raw}" is not a URL; expected e.g. ${DEFAULT_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(ExitCode.usage, `${from} "${raw}" must be an http or https URL`);
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * `--key`, else POSTFLOW_ADMIN_KEY, else ADMIN_API_KEY (the API's own variable: set inside its
 * container and in a deployment's .env), else the key `npm start` generates for development
 * (DATA_DIR/admin-api-key, DATA_DIR defaulting to .postflow). A relative DATA_DIR is looked for
 * from the working directory upwards, so the CLI finds it anywhere inside the checkout.
 */
export function resolveKey(flag: string | undefined, env: Env, cwd: string): AdminKey | undefined {
  if (flag !== undefined && flag.trim()) return { value: flag.trim(), source: '--key' };
  for (const name of ['POSTFLOW_ADMIN_KEY', 'ADMIN_API_KEY'] as const) {
    const value = env[name]?.trim();
    if (value) return { value, source: name };
  }
  const file = findKeyFile(env.DATA_DIR || '.postflow', cwd);
  if (!file) return undefined;
  let value: string;
  try {
    value = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new CliError(
      ExitCode.noKey,
      `the admin key file ${file} could not be read (${(err as Error).message}); pass the key with --key or POSTFLOW_ADMIN_KEY`,
    );
  }
  return value ? { value, source: file } : undefined;
}

function findKeyFile(dataDir: string, cwd: string): string | undefined {
  if (path.isAbsolute(dataDir)) {
    const file = path.join(dataDir, 'admin-api-key');
    return existsSync(file) ? file : undefined;
  }
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const file = path.join(dir, dataDir, 'admin-api-key');
    if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export const missingKeyMessage = [
  "no admin key: the /api routes need the API's ADMIN_API_KEY. Provide it with one of",
  '  --key <key>                      (visible to other users in the process list)',
  '  POSTFLOW_ADMIN_KEY=<key>         (environment; ADMIN_API_KEY is read too)',
  '  .postflow/admin-api-key          (written by `npm start` in a checkout; DATA_DIR moves it)',
].join('\n');
