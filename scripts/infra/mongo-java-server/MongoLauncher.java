import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * Runs mongo-java-server on a chosen port (the library's own main classes always bind 27017).
 * Usage: MongoLauncher <port> [h2-file [fsync|no-fsync]]. With a file the data survives restarts
 * (npm start) and every write is in the file before it is acknowledged (DurableH2Backend);
 * with fsync it is also on the disk. Without a file it lives in memory (tests).
 */
public final class MongoLauncher {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String file = args.length > 1 ? args[1] : null;
        boolean fsync = args.length > 2 && args[2].equals("fsync");
        DurableH2Backend durable = file != null ? DurableH2Backend.open(file, fsync) : null;
        MongoBackend backend = durable != null ? durable : new MemoryBackend();
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        // shutdown() closes the backend, which stores what is left and closes the H2 file.
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
        System.out.println("mongo-java-server listening on 127.0.0.1:" + port + (durable != null ? " file " + file + (fsync ? " (fsync)" : "") + ", " + durable.format() : " in memory"));
        Thread.currentThread().join();
    }
}
