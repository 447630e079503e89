import type { Command } from 'commander';
import { ApiClient, type Fetch } from './http';
import { toJson } from './format';
import { DEFAULT_TIMEOUT_SECONDS, resolveKey, resolveUrl, type Env, type GlobalOptions } from './settings';

/** Everything outside the process's arguments, injectable so parsing is testable without a server. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Env;
  cwd: string;
  fetch?: Fetch;
}

export interface CommandContext {
  json: boolean;
  /** Built on first use: `health` needs no key, and a bad --url is reported only by commands that call the API. */
  api(): ApiClient;
  /** One block of output with a trailing newline. */
  print(text: string): void;
  printJson(value: unknown): void;
}

export function commandContext(cmd: Command, io: CliIo): CommandContext {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  let client: ApiClient | undefined;
  return {
    json: opts.json === true,
    api() {
      client ??= new ApiClient({
        baseUrl: resolveUrl(opts.url, io.env),
        key: () => resolveKey(opts.key, io.env, io.cwd),
        timeoutMs: (opts.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
        fetch: io.fetch,
      });
      return client;
    },
    print: (text) => io.stdout(`${text}\n`),
    printJson: (value) => io.stdout(`${toJson(value)}\n`),
  };
}
