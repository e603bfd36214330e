package dev.cairn.backend.offheap;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.hash.AbstractData;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.serialization.DataAccess;
import net.openhft.chronicle.wire.WireIn;
import net.openhft.chronicle.wire.WireOut;

/**
 * Hands a {@code byte[]} key or value to Chronicle Map through one buffer per query context.
 * Chronicle's own access wraps every array in a new reference-counted store, whose construction
 * (a counter shared by every thread, a release tracer) cost more than the lookup itself; copying
 * a row of a few dozen bytes into a reused buffer costs next to nothing.
 */
final class RowBytesAccess extends AbstractData<byte[]> implements DataAccess<byte[]> {
    /** A buffer larger than this is not kept between rows. */
    private static final int KEPT = 64 * 1024;

    private transient byte[] buffer;
    private transient BytesStore<?, byte[]> store;
    private transient byte[] array;

    @Override
    public RandomDataInput bytes() {
        return store;
    }

    @Override
    public long offset() {
        return 0;
    }

    @Override
    public long size() {
        return array.length;
    }

    @Override
    public byte[] get() {
        return array;
    }

    @Override
    public byte[] getUsing(byte[] using) {
        byte[] out = using != null && using.length == array.length ? using : new byte[array.length];
        System.arraycopy(array, 0, out, 0, array.length);
        return out;
    }

    @Override
    public Data<byte[]> getData(byte[] instance) {
        if (buffer == null || buffer.length < instance.length) {
            buffer = new byte[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(64L, 2L * instance.length))];
            store = BytesStore.wrap(buffer);
        }
        System.arraycopy(instance, 0, buffer, 0, instance.length);
        array = instance;
        return this;
    }

    @Override
    public void uninit() {
        array = null;
        if (buffer != null && buffer.length > KEPT) {
            buffer = null;
            store = null;
        }
    }

    @Override
    public DataAccess<byte[]> copy() {
        return new RowBytesAccess();
    }

    @Override
    public void writeMarshallable(WireOut wire) {
        // no configuration
    }

    @Override
    public void readMarshallable(WireIn wire) {
        // no configuration
    }
}
