import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * Runs mongo-java-server on a chosen port (the library's own main classes always bind 27017).
 * Usage: MongoLauncher <port> [h2-file]; with a file the data survives restarts (npm start),
 * without one it lives in memory (tests).
 */
public final class MongoLauncher {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        MongoBackend backend = args.length > 1 ? new H2Backend(args[1]) : new MemoryBackend();
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        // shutdown() closes the backend, which commits and closes the H2 store.
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
        System.out.println("mongo-java-server listening on 127.0.0.1:" + port + (args.length > 1 ? " file " + args[1] : " in memory"));
        Thread.currentThread().join();
    }
}
