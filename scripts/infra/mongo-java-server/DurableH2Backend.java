import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import org.h2.mvstore.MVStore;

/**
 * mongo-java-server's H2 backend, made to acknowledge a write only once it is in the file.
 *
 * The stock backend opens its MVStore with auto-commit: writes live in memory and a background
 * thread stores them about once a second, so a killed server loses the last second of writes it
 * had already acknowledged. Here auto-commit is off and every command that changed something
 * commits before its answer is sent:
 * - Commands run concurrently (one per Netty event-loop thread) under a shared "gate"; a commit
 *   takes the gate exclusively, so it waits for the commands in progress and stores only whole
 *   commands: a document is never on disk without its unique-index entries.
 * - Group commit: one commit stores every command finished before it; a thread whose changes
 *   a concurrent commit already stored finds nothing left to store.
 * - A commit writes the new chunk to the file (the OS page cache): that survives the server
 *   process being killed. With fsync on, the file is also forced to the disk before the answer
 *   (survives power loss), one fsync per group of commits.
 * - Space: with auto-commit off, H2's background housekeeping is off too, so chunks left mostly
 *   empty by later writes are rewritten here on a timer, under the same exclusive gate.
 * - Format: a file this backend creates stores documents as BSON and compares index keys as
 *   values (CompactH2Database), several times cheaper per write than H2's Java serialization.
 *   A file written before (no FORMAT_MAP in it) keeps the stock encoding, which it was written in.
 */
final class DurableH2Backend extends H2Backend {
    private static final long COMPACT_EVERY_SECONDS = 30;
    /** Rewrite chunks while the live share of the file is below this percentage... */
    private static final int COMPACT_TARGET_FILL_RATE = 80;
    /** ...at most this many bytes per round, so one round holds writers up for milliseconds, not seconds. */
    private static final int COMPACT_MAX_BYTES_PER_ROUND = 4 * 1024 * 1024;
    /** Present in a file whose maps are typed (CompactH2Database); its one entry names the encoding. */
    private static final String FORMAT_MAP = "postflow.format";
    private static final String DATABASES_PREFIX = "databases.";
    /** -Dpostflow.h2.format=java-serialization makes a new file in the stock encoding: how the upgrade test gets an old file. */
    private static final String FORMAT_PROPERTY = "postflow.h2.format";
    private static final String STOCK_FORMAT = "java-serialization";

    private final MVStore store;
    private final boolean fsync;
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final ReentrantLock syncLock = new ReentrantLock();
    /** The store version last forced to disk (guarded by syncLock). */
    private long syncedVersion;
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "postflow-h2-housekeeping");
        thread.setDaemon(true);
        return thread;
    });

    static DurableH2Backend open(String fileName, boolean fsync) {
        MVStore store = new MVStore.Builder()
            .fileName(fileName)
            // No background commits (they would store half-done commands) and no commits from
            // inside a write when unsaved memory grows: every commit is ours, under the gate.
            .autoCommitDisabled()
            .autoCommitBufferSize(0)
            .open();
        boolean written = store.getMapNames().stream().anyMatch(name -> name.startsWith(DATABASES_PREFIX));
        boolean stock = written ? !store.hasMap(FORMAT_MAP) : STOCK_FORMAT.equals(System.getProperty(FORMAT_PROPERTY));
        if (!stock) {
            store.openMap(FORMAT_MAP).putIfAbsent("documents", "bson-v1"); // stored by the first commit
            CompactH2Database.use(store);
        }
        return new DurableH2Backend(store, fsync);
    }

    /** Called by the stock constructor too, for each database already in the file. */
    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        if (!getMvStore().hasMap(FORMAT_MAP)) return super.openOrCreateDatabase(databaseName);
        return new CompactH2Database(databaseName, getMvStore(), getCursorRegistry());
    }

    /** Which encoding the file uses, for the start-up line. */
    String format() {
        return store.hasMap(FORMAT_MAP) ? "BSON documents" : "Java-serialized documents (a file from before the BSON format)";
    }

    private DurableH2Backend(MVStore store, boolean fsync) {
        super(store);
        this.store = store;
        this.fsync = fsync;
        this.syncedVersion = store.getCurrentVersion();
        housekeeping.scheduleWithFixedDelay(this::compact, COMPACT_EVERY_SECONDS, COMPACT_EVERY_SECONDS, TimeUnit.SECONDS);
    }

    /** Every command reaches the backend here (OP_MSG through handleMessage, OP_QUERY directly). */
    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        if (gate.getReadHoldCount() > 0) {
            return super.handleCommand(channel, databaseName, command, query); // nested: the outer call commits
        }
        try {
            gate.readLock().lock();
            try {
                return super.handleCommand(channel, databaseName, command, query);
            } finally {
                gate.readLock().unlock();
            }
        } finally {
            // Also when the command failed half-way (a batch stopped at a duplicate key, an
            // update that threw): what it did change is in the file before the answer goes out.
            commitChanges();
        }
    }

    private void commitChanges() {
        // Looked at under the gate: a commit in progress holds it exclusively, so this waits until
        // that commit is in the file. Unguarded, the store reads as saved as soon as a concurrent
        // commit has begun (H2's MVStore.store moves the version first, then writes the chunk), so
        // this command's answer could go out before its changes were in the file, and a kill in
        // between would lose an acknowledged write.
        boolean unsaved;
        gate.readLock().lock();
        try {
            unsaved = store.hasUnsavedChanges();
        } finally {
            gate.readLock().unlock();
        }
        long version;
        if (unsaved) {
            gate.writeLock().lock();
            try {
                if (store.hasUnsavedChanges()) store.commit(); // else a concurrent commit stored it meanwhile
                version = store.getCurrentVersion();
            } finally {
                gate.writeLock().unlock();
            }
        } else {
            version = store.getCurrentVersion(); // a read, or a concurrent commit stored it already
        }
        // With fsync on, also a command whose changes a concurrent commit stored waits for that commit's fsync.
        if (fsync) forceToDisk(version);
    }

    /** Outside the gate, so commands go on while the disk works; one fsync covers every commit before it. */
    private void forceToDisk(long version) {
        syncLock.lock();
        try {
            if (syncedVersion >= version) return;
            long covering;
            // Read while no commit is half-written, so every version up to `covering` is in the file.
            gate.readLock().lock();
            try {
                covering = store.getCurrentVersion();
            } finally {
                gate.readLock().unlock();
            }
            store.sync();
            syncedVersion = covering;
        } finally {
            syncLock.unlock();
        }
    }

    private void compact() {
        try {
            gate.writeLock().lock();
            try {
                if (store.isClosed()) return;
                if (store.compact(COMPACT_TARGET_FILL_RATE, COMPACT_MAX_BYTES_PER_ROUND)) store.commit();
            } finally {
                gate.writeLock().unlock();
            }
            if (fsync) forceToDisk(store.getCurrentVersion());
        } catch (RuntimeException e) {
            System.err.println("postflow: H2 housekeeping failed (the data is safe; the file may grow): " + e);
        }
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        gate.writeLock().lock();
        try {
            super.close(); // closes the MVStore, which stores anything left
        } finally {
            gate.writeLock().unlock();
        }
    }
}
