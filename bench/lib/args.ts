import { parseArgs } from 'node:util';

export interface FlagSpec {
  help: string;
  /** Without a default the flag is optional and reads as undefined. */
  default?: number;
  min?: number;
}

export type Flags<S extends Record<string, FlagSpec>> = { [K in keyof S]: S[K] extends { default: number } ? number : number | undefined };

/** Numeric --flags only; a bad value stops the run with the flag's name, before any server starts. */
export function parseFlags<const S extends Record<string, FlagSpec>>(usage: string, specs: S, argv = process.argv.slice(2)): Flags<S> {
  const options = Object.fromEntries([...Object.keys(specs).map((k) => [k, { type: 'string' as const }]), ['help', { type: 'boolean' as const }]]);
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
  const out: Record<string, number | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = values[name];
    if (raw === undefined) {
      out[name] = spec.default;
      continue;
    }
    const n = Number(raw);
    if (!Number.isFinite(n) || n < (spec.min ?? 1)) fail(`--${name} must be a number ≥ ${spec.min ?? 1} (got "${String(raw)}")`);
    out[name] = n;
  }
  return out as Flags<S>;
}

function help(usage: string, specs: Record<string, FlagSpec>): string {
  const lines = Object.entries(specs).map(([name, s]) => `  --${name.padEnd(16)} ${s.help}${s.default === undefined ? '' : ` (default ${s.default})`}`);
  return `usage: ${usage}\n${lines.join('\n')}`;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
