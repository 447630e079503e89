import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnChild, waitForPort, type OutputSink } from './child';
import { cacheDir, which, MissingToolError } from './paths';

export interface MongoOptions {
  port: number;
  /** undefined: in memory (tests); else a folder that keeps the data across restarts (npm start). */
  dataDir?: string;
  sink: OutputSink;
  /** Own process group, so a terminal's Ctrl-C reaches only the parent, which stops us last. */
  detached?: boolean;
  /** mongo-java-server on a file: fsync every group of writes (EMBEDDED_MONGO_FSYNC), not only write them to the file. */
  fsync?: boolean;
  log: (line: string) => void;
}

export interface RunningMongo {
  /** Connection string without a database name; callers append one. */
  url: string;
  how: string;
  stop(): Promise<void>;
}

const javaServerDir = path.join(__dirname, 'mongo-java-server');

/** Which MongoDB `startMongo` would run here, without starting it. */
export function mongoFlavour(): 'mongod' | 'mongo-java-server' | 'mongodb-memory-server' {
  if (which('mongod')) return 'mongod';
  if (which('java') && (which('mvn') || existsSync(javaLauncherStamp()))) return 'mongo-java-server';
  return 'mongodb-memory-server';
}

/** A real mongod on PATH, else mongo-java-server (Java + Maven), else mongodb-memory-server (downloads mongod; needs internet). */
export async function startMongo(opts: MongoOptions): Promise<RunningMongo> {
  const flavour = mongoFlavour();
  if (flavour === 'mongod') return startMongod(which('mongod')!, opts);
  if (flavour === 'mongo-java-server') return startMongoJavaServer(opts);
  return startMemoryServer(opts);
}

async function startMongod(mongod: string, opts: MongoOptions): Promise<RunningMongo> {
  const dbPath = opts.dataDir ? path.join(opts.dataDir, 'mongod') : path.join(cacheDir, 'tmp', `mongod-${process.pid}-${opts.port}`);
  mkdirSync(dbPath, { recursive: true });
  const child = spawnChild(
    'mongod',
    mongod,
    ['--port', String(opts.port), '--bind_ip', '127.0.0.1', '--dbpath', dbPath, '--quiet'],
    opts.sink,
    { detached: opts.detached },
  );
  await waitForPort(opts.port, { timeoutMs: 60_000, child, what: 'mongod' });
  return {
    url: `mongodb://127.0.0.1:${opts.port}`,
    how: `mongod (${mongod})`,
    stop: async () => {
      await child.stop();
      if (!opts.dataDir) rmSync(dbPath, { recursive: true, force: true });
    },
  };
}

/** The cache folder is keyed by the launcher's sources, so editing them rebuilds it. */
function javaLauncherDir(): string {
  const hash = createHash('sha256');
  for (const file of ['pom.xml', ...javaSources()]) hash.update(readFileSync(path.join(javaServerDir, file)));
  return path.join(cacheDir, `mongo-java-server-${hash.digest('hex').slice(0, 12)}`);
}

/** The launcher and the durable H2 backend it runs. */
function javaSources(): string[] {
  return readdirSync(javaServerDir)
    .filter((file) => file.endsWith('.java'))
    .sort();
}

function javaLauncherStamp(): string {
  return path.join(javaLauncherDir(), 'classpath.txt');
}

/** Resolves mongo-java-server's classpath from Maven Central and compiles the launcher, once. */
export function buildJavaLauncher(log: (line: string) => void): { classpath: string } {
  const target = javaLauncherDir();
  if (!existsSync(javaLauncherStamp())) {
    if (!which('mvn')) throw new MissingToolError('mongo-java-server needs Maven once to fetch its jars: install maven, or set MONGO_URL');
    log('fetching mongo-java-server 1.47.0 from Maven Central and compiling its launcher (once)');
    const staging = `${target}.building-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const classpathFile = path.join(staging, 'classpath.txt');
    execFileSync(
      'mvn',
      ['-q', '-B', '-f', path.join(javaServerDir, 'pom.xml'), 'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const deps = readFileSync(classpathFile, 'utf8').trim();
    execFileSync(
      'javac',
      ['-cp', deps, '-d', path.join(staging, 'classes'), ...javaSources().map((file) => path.join(javaServerDir, file))],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    writeFileSync(classpathFile, deps);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  }
  const deps = readFileSync(javaLauncherStamp(), 'utf8').trim();
  return { classpath: `${path.join(target, 'classes')}${path.delimiter}${deps}` };
}

async function startMongoJavaServer(opts: MongoOptions): Promise<RunningMongo> {
  if (!which('javac') && !existsSync(javaLauncherStamp()))
    throw new MissingToolError('mongo-java-server needs a JDK (javac): install openjdk-17-jdk, or set MONGO_URL');
  const { classpath } = buildJavaLauncher(opts.log);
  // The exception handler logs a stack trace for every client that disconnects: noise, not errors.
  const args = [
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    '-Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoExceptionHandler=off',
    '-cp',
    classpath,
    'MongoLauncher',
    String(opts.port),
  ];
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    args.push(path.join(path.resolve(opts.dataDir), 'mongo.h2'), opts.fsync ? 'fsync' : 'no-fsync');
  }
  const child = spawnChild('mongo', 'java', args, opts.sink, { detached: opts.detached });
  await waitForPort(opts.port, { timeoutMs: 60_000, child, what: 'mongo-java-server' });
  return {
    url: `mongodb://127.0.0.1:${opts.port}`,
    how:
      'mongo-java-server 1.47.0 ' +
      `(${opts.dataDir ? `H2 file, each write committed before it is acknowledged${opts.fsync ? ', fsync' : ''}` : 'in memory'})`,
    stop: () => child.stop(),
  };
}

async function startMemoryServer(opts: MongoOptions): Promise<RunningMongo> {
  opts.log('no mongod and no Java/Maven: asking mongodb-memory-server to download mongod (needs internet)');
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  try {
    const dbPath = opts.dataDir ? path.join(opts.dataDir, 'mongod') : undefined;
    if (dbPath) mkdirSync(dbPath, { recursive: true });
    const server = await MongoMemoryServer.create({
      instance: { port: opts.port, ip: '127.0.0.1', dbPath, storageEngine: dbPath ? 'wiredTiger' : undefined },
      binary: { downloadDir: path.join(cacheDir, 'mongodb-binaries') },
    });
    return {
      url: `mongodb://127.0.0.1:${opts.port}`,
      how: 'mongod downloaded by mongodb-memory-server',
      stop: async () => {
        await server.stop({ doCleanup: !dbPath, force: false });
      },
    };
  } catch (err) {
    throw new MissingToolError(
      'no MongoDB: set MONGO_URL, install mongod, or install Java 17 + Maven for mongo-java-server ' +
        `(download failed: ${(err as Error).message})`,
    );
  }
}
