import java.util.List;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ObjectDataType;

/**
 * mongo-java-server's H2 database with typed maps: documents stored as BSON (BsonDocumentType)
 * and unique-index keys compared as values (KeyValueType). The stock classes open every map by
 * name with H2's default types; opening the same name first with a typed builder makes them use
 * this instance, since an open map is shared by name. Map names are the stock ones
 * (H2Database: "databases.<ns>", "<ns>._index_<name>"), so everything else works unchanged.
 */
final class CompactH2Database extends de.bwaldvogel.mongo.backend.h2.H2Database {
    /**
     * The one store of this process. The stock constructor opens collections and indexes before a
     * subclass's fields are assigned, so the store cannot be a field here.
     */
    private static volatile MVStore store;

    static void use(MVStore mvStore) {
        store = mvStore;
    }

    CompactH2Database(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
        super(databaseName, mvStore, cursorRegistry);
    }

    @Override
    protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
        store.openMap(getFullCollectionNamespace(collectionName) + "._index_" + indexName,
            new MVMap.Builder<KeyValue, Object>().keyType(KeyValueType.INSTANCE).valueType(new ObjectDataType()));
        return super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse);
    }

    /** The stock collection's maps ("databases.<ns>", "meta.<ns>"), in the IdLookupH2Collection that reads by _id through its index. */
    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
        String namespace = getFullCollectionNamespace(collectionName);
        MVMap<Object, Document> dataMap = store.openMap("databases." + namespace,
            new MVMap.Builder<Object, Document>().keyType(new ObjectDataType()).valueType(BsonDocumentType.INSTANCE));
        MVMap<String, Object> metaMap = store.openMap("meta." + namespace);
        return new IdLookupH2Collection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
    }
}
