import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { mongoFlavour } from '../../scripts/infra/mongo';
import { cacheDir, which } from '../../scripts/infra/paths';
import { TEMPORAL_CLI_VERSION } from '../../scripts/infra/temporal';
import type { machineFactsSchema, versionsSchema } from './report-schema';

const root = path.resolve(__dirname, '..', '..');

export type MachineFacts = z.infer<typeof machineFactsSchema>;
export type Versions = z.infer<typeof versionsSchema>;

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

/** What served the run. With TEMPORAL_ADDRESS / MONGO_URL set we did not start the servers, so we say so. */
export function versions(env: NodeJS.ProcessEnv): Versions {
  return {
    temporalCli: env.TEMPORAL_ADDRESS ? `external server at ${env.TEMPORAL_ADDRESS}` : temporalCliVersion(),
    mongo: env.MONGO_URL ? 'external server (MONGO_URL)' : mongoVersion(),
    packages: Object.fromEntries(
      ['@temporalio/client', '@temporalio/worker', 'mongoose', 'koa'].map((name) => [name, packageVersion(name)]),
    ),
  };
}

function temporalCliVersion(): string {
  // Same order as scripts/infra/temporal.ts: PATH first, then the cached build.
  const cli = which('temporal') ?? path.join(cacheDir, `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');
  if (!existsSync(cli)) return `${TEMPORAL_CLI_VERSION} (expected; CLI not found, dev server from @temporalio/testing)`;
  // A `go install` build reports 0.0.0-DEV, so the module tag we built is stated beside it.
  const reported = run(cli, ['--version']);
  return cli.startsWith(cacheDir) ? `${TEMPORAL_CLI_VERSION} built with go install; reports "${reported}"` : `${cli}: "${reported}"`;
}

function mongoVersion(): string {
  const flavour = mongoFlavour();
  if (flavour === 'mongod') return `mongod ${run(which('mongod')!, ['--version']).split('\n')[0]}`;
  if (flavour === 'mongo-java-server') {
    const pom = readFileSync(path.join(root, 'scripts', 'infra', 'mongo-java-server', 'pom.xml'), 'utf8');
    const version = /<artifactId>mongo-java-server-memory-backend<\/artifactId>\s*<version>([^<]+)</.exec(pom)?.[1] ?? 'unknown';
    return `mongo-java-server ${version} (the stand-in; where it keeps its data: see servers; ${run('java', ['-version']).split('\n')[0]})`;
  }
  return 'mongodb-memory-server (downloaded mongod)';
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function run(cmd: string, args: string[]): string {
  // java -version prints to stderr, so both streams are read.
  const out = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return (out.error ? out.error.message : `${out.stdout ?? ''}${out.stderr ?? ''}`).trim();
}
