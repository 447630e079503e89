import java.nio.ByteBuffer;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * A stored document as BSON, the encoding it arrived in and is answered in, instead of H2's
 * default (Java serialization with a fresh ObjectOutputStream per value). A commit rewrites every
 * document of each leaf page it touched, so this encoding is paid many times per write: profiled
 * under the click load, Java serialization was about 40 % of the store's CPU.
 */
final class BsonDocumentType extends BasicDataType<Document> {
    static final BsonDocumentType INSTANCE = new BsonDocumentType();

    private BsonDocumentType() {
    }

    /** An estimate for the page cache's accounting; measuring the encoding would cost an encoding. */
    @Override
    public int getMemory(Document document) {
        return 64 + 48 * document.size();
    }

    @Override
    public void write(WriteBuffer out, Document document) {
        ByteBuf buf = Unpooled.buffer(256);
        try {
            BsonEncoder.encodeDocument(document, buf);
            out.put(buf.nioBuffer());
        } finally {
            buf.release();
        }
    }

    @Override
    public Document read(ByteBuffer in) {
        ByteBuf buf = Unpooled.wrappedBuffer(in.slice());
        Document document = BsonDecoder.decodeBson(buf);
        in.position(in.position() + buf.readerIndex());
        return document;
    }

    /** Values are only compared for equality (MVMap's conditional replace), never ordered. */
    @Override
    public int compare(Document a, Document b) {
        return a.equals(b) ? 0 : 1;
    }

    @Override
    public Document[] createStorage(int size) {
        return new Document[size];
    }
}
