import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir, which } from './paths';

/**
 * Temporal's time-skipping test server (part of the Java SDK), for the tests whose subject is a
 * timer: with it they wait out the production durations (a 90-day reversal window, a 3-day
 * delivery schedule) in milliseconds. @temporalio/testing would download a native build, which
 * needs internet; the same server from Maven Central runs on the Java the MongoDB stand-in
 * already needs.
 */
export const TEMPORAL_TEST_SERVER_VERSION = '1.38.0';
/** Names an existing test server executable (e.g. the native one from the Java SDK's releases): nothing is built. */
export const TEST_SERVER_ENV = 'POSTFLOW_TEMPORAL_TEST_SERVER';

const pom = path.join(__dirname, 'temporal-test-server', 'pom.xml');

export type TimeSkippingServer = { executable: string; how: string } | { unavailable: string };

/** The cache folder is keyed by the pom, so changing the version fetches again. */
function launcherDir(): string {
  const hash = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 12);
  return path.join(cacheDir, `temporal-test-server-${hash}`);
}

const launcherPath = () => path.join(launcherDir(), 'temporal-test-server');

/**
 * An executable that @temporalio/testing can start as `<executable> <port>`: the one named by
 * POSTFLOW_TEMPORAL_TEST_SERVER, else a launcher script for the Maven Central jars (fetched once
 * with Maven). Without Java (or Maven, the first time) the reason comes back instead: the timer
 * tests then say why they are skipped.
 */
export function resolveTimeSkippingServer(env: NodeJS.ProcessEnv, log: (line: string) => void): TimeSkippingServer {
  const named = env[TEST_SERVER_ENV];
  if (named) return { executable: named, how: `${named} (${TEST_SERVER_ENV})` };
  const how = `Temporal test server ${TEMPORAL_TEST_SERVER_VERSION} from Maven Central (${launcherPath()})`;
  if (!which('java')) {
    return { unavailable: `the time-skipping Temporal test server needs Java 17+ (and Maven once); or set ${TEST_SERVER_ENV}` };
  }
  if (existsSync(launcherPath())) return { executable: launcherPath(), how };
  if (!which('mvn')) {
    return { unavailable: `the time-skipping Temporal test server needs Maven once to fetch its jars; or set ${TEST_SERVER_ENV}` };
  }
  buildLauncher(log);
  return { executable: launcherPath(), how };
}

function buildLauncher(log: (line: string) => void): void {
  const target = launcherDir();
  log(`fetching the Temporal test server ${TEMPORAL_TEST_SERVER_VERSION} from Maven Central (once)`);
  const staging = `${target}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const classpathFile = path.join(staging, 'classpath.txt');
  execFileSync('mvn', ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const classpath = readFileSync(classpathFile, 'utf8').trim();
  const script = path.join(staging, 'temporal-test-server');
  // The SDK runs an executable, not `java -cp`; without the flag --enable-time-skipping the
  // server starts with skipping locked, so time only jumps when a test asks it to.
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      `# Temporal's time-skipping test server ${TEMPORAL_TEST_SERVER_VERSION}, written by scripts/infra/temporal-test-server.ts.`,
      `exec java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp ${shellQuote(classpath)} ${mainClass} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target); // atomic: a half-written launcher is never picked up
}

const mainClass = 'io.temporal.testserver.TestServer';

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
