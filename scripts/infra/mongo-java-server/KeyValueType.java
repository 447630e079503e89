import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * The key of a unique index (mongo-java-server's KeyValue), compared as values and stored as BSON.
 * H2's default type compares a class it does not know by Java-serializing both sides on every
 * comparison of a B-tree search; profiled under the click load, those comparisons were about a
 * third of the store's CPU. Two keys compare equal exactly when KeyValue.equals says so, as they
 * did by their serialized bytes before: values the comparator ranks alike but that differ (1 and
 * 1.0) are ordered by their encoding.
 */
final class KeyValueType extends BasicDataType<KeyValue> {
    static final KeyValueType INSTANCE = new KeyValueType();

    /** Not a BSON type byte: marks an absent field (a sparse or partial key). */
    private static final byte MISSING = 0x7E;
    private static final Comparator<Object> VALUES = ValueComparator.ascWithoutListHandling();

    private KeyValueType() {
    }

    @Override
    public int compare(KeyValue a, KeyValue b) {
        if (a == b) return 0;
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            Object x = a.get(i);
            Object y = b.get(i);
            int c = x instanceof String && y instanceof String ? ((String) x).compareTo((String) y) : VALUES.compare(x, y);
            if (c != 0) return c;
        }
        if (a.size() != b.size()) return Integer.compare(a.size(), b.size());
        if (a.equals(b)) return 0;
        return compareEncoded(encode(a), encode(b));
    }

    @Override
    public int getMemory(KeyValue key) {
        return 24 + 40 * key.size();
    }

    @Override
    public void write(WriteBuffer out, KeyValue key) {
        ByteBuf buf = encode(key);
        try {
            out.put(buf.nioBuffer());
        } finally {
            buf.release();
        }
    }

    @Override
    public KeyValue read(ByteBuffer in) {
        ByteBuf buf = Unpooled.wrappedBuffer(in.slice());
        int size = buf.readIntLE();
        List<Object> values = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            byte type = buf.readByte();
            values.add(type == MISSING ? Missing.getInstance() : BsonDecoder.decodeValue(type, buf));
        }
        in.position(in.position() + buf.readerIndex());
        return new KeyValue(values);
    }

    @Override
    public KeyValue[] createStorage(int size) {
        return new KeyValue[size];
    }

    private static ByteBuf encode(KeyValue key) {
        ByteBuf buf = Unpooled.buffer(64);
        buf.writeIntLE(key.size());
        for (Object value : key) {
            if (value instanceof Missing) {
                buf.writeByte(MISSING);
            } else {
                byte type = BsonEncoder.determineType(value);
                buf.writeByte(type);
                BsonEncoder.encodeValue(type, value, buf);
            }
        }
        return buf;
    }

    private static int compareEncoded(ByteBuf a, ByteBuf b) {
        try {
            return a.compareTo(b);
        } finally {
            a.release();
            b.release();
        }
    }
}
