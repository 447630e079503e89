import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Binary, BSON, Decimal128, Double, Int32, Long, MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { batchedInserter, type InsertManyTarget } from '../../api/click-writer';
import { newTimeOrderedId } from '../../models/ids';
import { freePort, spawnChild, waitForPort, type Child } from '../../scripts/infra/child';
import { buildJavaLauncher, mongoFlavour } from '../../scripts/infra/mongo';
import { waitFor } from '../support/wait-for';

/**
 * `npm start`'s embedded store (mongo-java-server on an H2 file, DurableH2Backend) as the crash
 * leaves it: each scenario SIGKILLs the Java process (nothing flushed or closed) and starts it again
 * on the same file. Its promise: every write it acknowledged is there, byte for byte, and its
 * unique indexes still hold, in the BSON format of new files and in the format of older ones.
 */
const usable = mongoFlavour() === 'mongo-java-server';
const describeStore = usable ? describe : describe.skip;
const title = 'the embedded H2 store after a SIGKILL';

interface Store {
  url: string;
  /** Kills the process (SIGKILL) and starts it again on the same file and port. */
  crashAndRestart(): Promise<void>;
  /** Resolves when the store's start-up line names the encoding its file uses. */
  startedWith(format: string): Promise<unknown>;
  stop(): Promise<void>;
}

async function startStore(dir: string, javaOptions: string[] = []): Promise<Store> {
  const port = await freePort();
  const file = path.join(dir, 'mongo.h2');
  const logFile = path.join(dir, 'mongo.log');
  const { classpath } = buildJavaLauncher(() => undefined);
  const start = async () => {
    const child = spawnChild('mongo', 'java', [...javaOptions, '-cp', classpath, 'MongoLauncher', String(port), file, 'no-fsync'], {
      file: logFile,
    });
    await waitForPort(port, { timeoutMs: 60_000, child, what: 'mongo-java-server' });
    return child;
  };
  let child: Child = await start();
  return {
    url: `mongodb://127.0.0.1:${port}`,
    async crashAndRestart() {
      const exited = new Promise((resolve) => child.process.once('exit', resolve));
      child.process.kill('SIGKILL');
      await exited;
      child = await start();
    },
    startedWith: (format) => waitFor(`the start-up line naming ${format}`, () => readFileSync(logFile, 'utf8').includes(format)),
    stop: () => child.stop(),
  };
}

/** One client per phase: a killed server leaves the old client's sockets dead. */
async function withClient<T>(store: Store, fn: (db: ReturnType<MongoClient['db']>) => Promise<T>): Promise<T> {
  const client = await MongoClient.connect(store.url, { writeConcern: { w: 'majority', j: true }, serverSelectionTimeoutMS: 20_000 });
  try {
    return await fn(client.db('store_test'));
  } finally {
    await client.close(true);
  }
}

/** Every BSON type a postflow document uses, and some it might. */
function sampleDocuments(): Document[] {
  return [
    {
      _id: 'doc_strings',
      s: 'plain',
      unicode: 'Grüße, 東京 🌍',
      empty: '',
      nested: { a: { b: ['x', 'y'] } },
      k1: 'a',
      k2: 'a',
    },
    {
      _id: new ObjectId('64b7f0c2a1b2c3d4e5f60718'),
      int: new Int32(7),
      long: Long.fromString('9007199254740993'),
      double: new Double(1.5),
      decimal: Decimal128.fromString('12.50'),
      date: new Date('2026-11-30T12:34:56.789Z'),
      bool: false,
      nothing: null,
      bin: new Binary(Buffer.from([0, 1, 2, 255])),
      list: [1, 'two', { three: 3 }, [4]],
      k1: 0,
      k2: 'z',
    },
    { _id: 42, email: 'a@example.com', pair: { a: 1, b: 'x' }, k1: 1, k2: 'x' },
    { _id: 43, email: 'b@example.com', k1: 1, k2: 'y' },
    { _id: 44, k1: 2, k2: 'x' }, // no email: the sparse index skips it
  ];
}

/** Each document as stored, compared type for type (canonical Extended JSON: an Int32 is not a Double). */
async function expectStored(col: Collection, docs: Document[]): Promise<void> {
  for (const doc of docs) {
    const found = await col.findOne({ _id: doc._id }, { promoteValues: false });
    expect(BSON.EJSON.serialize(found, { relaxed: false })).toEqual(BSON.EJSON.serialize(doc, { relaxed: false }));
  }
}

async function createIndexes(col: Collection): Promise<void> {
  await col.createIndex({ email: 1 }, { unique: true, sparse: true });
  await col.createIndex({ k1: 1, k2: 1 }, { unique: true });
}

async function expectIndexesHold(col: Collection): Promise<void> {
  await expect(col.insertOne({ _id: 'dup_email', email: 'a@example.com' } as Document)).rejects.toMatchObject({ code: 11000 });
  await expect(col.insertOne({ _id: 'dup_pair', k1: 2, k2: 'x' } as Document)).rejects.toMatchObject({ code: 11000 });
  await expect(col.insertOne({ _id: 42 } as Document)).rejects.toMatchObject({ code: 11000 });
  // Alike by value order but different keys: not duplicates.
  await col.insertOne({ _id: 'new_pair', k1: 2, k2: 'y' } as Document);
  await col.insertOne({ _id: 'no_email_2', k1: 3, k2: 'x' } as Document);
  expect(await col.findOne({ k1: 2, k2: 'y' })).toMatchObject({ _id: 'new_pair' });
}

async function roundTrip(store: Store): Promise<void> {
  const docs = sampleDocuments();
  await withClient(store, async (db) => {
    const col = db.collection('things');
    await createIndexes(col);
    await col.insertMany(docs);
  });
  await store.crashAndRestart();
  await withClient(store, async (db) => {
    const col = db.collection('things');
    await expectStored(col, docs);
    await expectIndexesHold(col);
  });
}

describeStore(usable ? title : `${title} (skipped: mongo-java-server is not the MongoDB here)`, () => {
  let dir: string;
  let store: Store | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'postflow-store-'));
  });
  afterEach(async () => {
    await store?.stop();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new file stores BSON: every value and unique index survives the crash', async () => {
    store = await startStore(dir);
    await store.startedWith('BSON documents');
    await roundTrip(store);
  }, 120_000);

  it('a file from before the BSON format keeps its encoding, its data and its indexes', async () => {
    store = await startStore(dir, ['-Dpostflow.h2.format=java-serialization']);
    await store.startedWith('Java-serialized documents');
    await withClient(store, async (db) => {
      const col = db.collection('things');
      await createIndexes(col);
      await col.insertMany(sampleDocuments());
    });
    await store.stop();
    store = await startStore(dir); // as an upgraded postflow opens it
    await store.startedWith('Java-serialized documents');
    await withClient(store, async (db) => {
      const col = db.collection('things');
      await expectStored(col, sampleDocuments());
      await expectIndexesHold(col);
    });
    await store.crashAndRestart();
    await withClient(store, async (db) => {
      expect(await db.collection('things').findOne({ _id: 'new_pair' as never })).toMatchObject({ k1: 2, k2: 'y' });
    });
  }, 120_000);

  // IdLookupH2Collection reads such queries through the _id index instead of scanning the
  // collection: the answers must be exactly those of the whole query, also when a condition fails.
  it('a query naming one _id and more conditions (a conditional update) matches exactly what the whole query says', async () => {
    store = await startStore(dir);
    await withClient(store, async (db) => {
      const col = db.collection<{ _id: string | number | ObjectId; seq: number; tag?: string }>('conditional');
      const oid = new ObjectId('64b7f0c2a1b2c3d4e5f60719');
      await col.insertMany([
        { _id: 'a', seq: 1, tag: 'x' },
        { _id: 'b', seq: 1 },
        { _id: 7, seq: 3 },
        { _id: oid, seq: 4 },
      ]);
      expect((await col.updateOne({ _id: 'a', seq: 1 }, { $set: { seq: 2 } })).modifiedCount).toBe(1);
      expect((await col.updateOne({ _id: 'a', seq: 1 }, { $set: { seq: 3 } })).matchedCount).toBe(0); // the condition no longer holds
      expect(await col.findOne({ _id: 'a' })).toEqual({ _id: 'a', seq: 2, tag: 'x' });
      expect(await col.findOne({ _id: 'a', seq: 5 })).toBeNull();
      expect(await col.findOne({ _id: 'a', $or: [{ tag: 'nope' }, { seq: 2 }] })).toMatchObject({ _id: 'a' });
      expect(await col.findOne({ _id: 'a', seq: { $ne: 2 } })).toBeNull();
      expect(await col.findOne({ _id: 7, seq: { $gte: 3 } })).toEqual({ _id: 7, seq: 3 });
      expect(await col.findOne({ _id: oid, seq: 4 })).toEqual({ _id: oid, seq: 4 });
      expect(await col.findOne({ _id: 'missing', seq: 1 })).toBeNull();
      expect(await col.find({ _id: { $in: ['a', 'b'] }, seq: { $lte: 2 } }, { sort: { _id: 1 } }).toArray()).toHaveLength(2);
      expect((await col.deleteOne({ _id: 'b', seq: 99 })).deletedCount).toBe(0);
      expect((await col.findOneAndUpdate({ _id: 'b', seq: 1 }, { $inc: { seq: 1 } }, { returnDocument: 'after' }))?.seq).toBe(2);
      expect((await col.updateOne({ _id: 'c', seq: 0 }, { $set: { tag: 'new' } }, { upsert: true })).upsertedId).toBe('c');
      expect(await col.countDocuments()).toBe(5);
    });
  }, 120_000);

  it('clicks batched by the API: every one acknowledged before the kill is stored after it', async () => {
    store = await startStore(dir);
    const acknowledged: string[] = [];
    let stop = false;
    const client = await MongoClient.connect(store.url, { writeConcern: { w: 'majority', j: true }, serverSelectionTimeoutMS: 2_000 });
    try {
      const col = client.db('store_test').collection('clicks');
      const insert = batchedInserter(col as unknown as InsertManyTarget<Document>);
      // 32 browsers clicking as fast as the store answers, as under the click benchmark.
      const browsers = Array.from({ length: 32 }, async () => {
        while (!stop) {
          const _id = newTimeOrderedId('clk');
          try {
            await insert({ _id, offer_id: 'off_1', subs: { sub1: 'x' }, created_at: new Date() });
            acknowledged.push(_id);
          } catch {
            return; // the store is gone: this click was never acknowledged
          }
        }
      });
      const deadline = Date.now() + 30_000;
      while (acknowledged.length < 2_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(acknowledged.length).toBeGreaterThanOrEqual(2_000);
      const restarted = store.crashAndRestart(); // kills at once, while writes are in flight
      stop = true;
      await Promise.all(browsers);
      await restarted;
    } finally {
      await client.close(true);
    }
    await withClient(store, async (db) => {
      const stored = new Set(
        (
          await db
            .collection('clicks')
            .find({}, { projection: { _id: 1 } })
            .toArray()
        ).map((d) => String(d._id)),
      );
      const lost = acknowledged.filter((id) => !stored.has(id));
      expect(lost).toEqual([]);
    });
  }, 120_000);

  it('writers on many connections, each a step of two commands: every write acknowledged before the kill is stored', async () => {
    store = await startStore(dir);
    const acknowledged: string[] = [];
    let stop = false;
    // Separate clients, so the commands arrive on many sockets and run on the store's threads at
    // once: an answer must wait for the commit that stores its command even when another thread's
    // commit is the one writing it (a race here once lost acknowledged writes).
    const clients = await Promise.all(
      Array.from({ length: 6 }, () =>
        MongoClient.connect(store!.url, { writeConcern: { w: 'majority', j: true }, serverSelectionTimeoutMS: 2_000, maxPoolSize: 8 }),
      ),
    );
    try {
      const writers = Array.from({ length: 48 }, async (_, w) => {
        const db = clients[w % clients.length]!.db('store_test');
        for (let n = 0; !stop; n++) {
          const _id = `w${w}-${n}`;
          try {
            // Like a step: move a projection, then record what the move made, each acknowledged on its own.
            await db.collection('moves').updateOne({ _id } as Document, { $set: { n } }, { upsert: true });
            acknowledged.push(`moves/${_id}`);
            await db.collection('records').insertOne({ _id, at: new Date() } as Document);
            acknowledged.push(`records/${_id}`);
          } catch {
            return; // the store is gone: what was not answered was never acknowledged
          }
        }
      });
      const deadline = Date.now() + 30_000;
      while (acknowledged.length < 6_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(acknowledged.length).toBeGreaterThanOrEqual(6_000);
      const restarted = store.crashAndRestart(); // kills at once, while commits and answers are in flight
      stop = true;
      await Promise.all(writers);
      await restarted;
    } finally {
      await Promise.all(clients.map((c) => c.close(true)));
    }
    await withClient(store, async (db) => {
      const stored = new Set<string>();
      for (const name of ['moves', 'records'])
        for (const d of await db
          .collection(name)
          .find({}, { projection: { _id: 1 } })
          .toArray())
          stored.add(`${name}/${String(d._id)}`);
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    });
  }, 120_000);
});
