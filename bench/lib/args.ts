import { parseArgs } from 'node:util';

/** A number (the default kind), a comma-separated list of numbers, a string, or an on/off switch. */
export type FlagSpec =
  | {
      help: string;
      type?: 'number';
      /** Without a default the flag is optional and reads as undefined. */ default?: number;
      min?: number;
    }
  | { help: string; type: 'numbers'; default?: readonly number[]; min?: number }
  | {
      help: string;
      type: 'string';
      default?: string;
      /** Read from this environment variable when the flag is absent (for secrets). */ env?: string;
    }
  | { help: string; type: 'boolean' };

type Value<S extends FlagSpec> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'string' }
    ? S extends { default: string }
      ? string
      : string | undefined
    : S extends { type: 'numbers' }
      ? S extends { default: readonly number[] }
        ? number[]
        : number[] | undefined
      : S extends { default: number }
        ? number
        : number | undefined;

export type Flags<S extends Record<string, FlagSpec>> = { [K in keyof S]: Value<S[K]> };

/** A bad value stops the run with the flag's name, before any server starts. */
export function parseFlags<const S extends Record<string, FlagSpec>>(
  usage: string,
  specs: S,
  argv = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Flags<S> {
  const options = Object.fromEntries([
    ...Object.entries(specs).map(([k, s]) => [k, { type: s.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
    ['help', { type: 'boolean' as const }],
  ]);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (err) {
    fail(`${(err as Error).message}\n${help(usage, specs)}`);
  }
  if (values.help) {
    process.stdout.write(`${help(usage, specs)}\n`);
    process.exit(0);
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = values[name];
    if (spec.type === 'boolean') {
      out[name] = raw === true;
    } else if (spec.type === 'string') {
      const fromEnv = spec.env ? env[spec.env] : undefined;
      const value = typeof raw === 'string' ? raw : fromEnv || spec.default;
      if (typeof raw === 'string' && raw.trim() === '') fail(`--${name} must not be empty`);
      out[name] = value;
    } else if (raw === undefined) {
      out[name] = spec.default === undefined ? undefined : Array.isArray(spec.default) ? [...spec.default] : spec.default;
    } else if (spec.type === 'numbers') {
      const parts = String(raw)
        .split(',')
        .map((p) => p.trim());
      out[name] = parts.map((p) => number(`${name} (each value)`, p, spec.min));
    } else {
      out[name] = number(name, String(raw), spec.min);
    }
  }
  return out as Flags<S>;
}

function number(name: string, raw: string, min = 1): number {
  const n = raw === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n) || n < min) fail(`--${name} must be a number ≥ ${min} (got "${raw}")`);
  return n;
}

function help(usage: string, specs: Record<string, FlagSpec>): string {
  const lines = Object.entries(specs).map(([name, s]) => {
    const shown =
      'default' in s && s.default !== undefined ? ` (default ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)})` : '';
    const fromEnv = s.type === 'string' && s.env ? ` (or $${s.env})` : '';
    return `  --${name.padEnd(18)} ${s.help}${fromEnv}${shown}`;
  });
  return `usage: ${usage}\n${lines.join('\n')}`;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
