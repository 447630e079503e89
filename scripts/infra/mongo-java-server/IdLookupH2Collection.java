import java.util.UUID;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import org.h2.mvstore.MVMap;

/**
 * mongo-java-server's H2 collection, reading through the _id index whenever a query names one
 * _id, as MongoDB does.
 *
 * The stock planner uses an index only when the query's fields are exactly the index's, so
 * `{_id: x, status_seq: n}` (a conditional update), `{_id: x, $or: [...]}` or `{_id: x, ops: {$ne: k}}`
 * scanned and decoded every document of the collection: a cost that grows with the collection,
 * paid by every such update (the conversion workflow makes several per conversion). Here the _id
 * index finds the one candidate and the whole query is then matched against it, so the answer is
 * the same and the cost is one lookup.
 */
final class IdLookupH2Collection extends H2Collection {
    IdLookupH2Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                         MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry) {
        super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
    }

    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize,
                                         Document fieldSelector) {
        Object id = query.size() > 1 ? query.get("_id") : null;
        if (isPlainId(id)) {
            Document byId = new Document("_id", id);
            for (Index<Object> index : getIndexes()) {
                if (index.canHandle(query)) break; // an index that fits the query exactly: the stock path uses it
                if (index.getKeys().size() == 1 && index.canHandle(byId)) {
                    return matchDocuments(query, index.getPositions(byId), orderBy, numberToSkip, limit, batchSize, fieldSelector);
                }
            }
        }
        return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }

    /** An _id compared by equality: a value, never an operator document, a regular expression or an array. */
    private static boolean isPlainId(Object id) {
        return id instanceof String || id instanceof Number || id instanceof ObjectId || id instanceof UUID;
    }
}
