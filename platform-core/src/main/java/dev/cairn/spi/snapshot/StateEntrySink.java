package dev.cairn.spi.snapshot;

import java.io.IOException;

/**
 * Takes keyed state entries in the backend-neutral form: each part in the state's own serialized
 * form (the bytes its serializers write), {@code state} an index into the states described
 * alongside. A VALUE (also REDUCING, AGGREGATING) state has one entry per key and namespace, a
 * LIST state one entry per element, a MAP state one entry per map entry ({@code mapKey} set,
 * else {@code null}).
 */
@FunctionalInterface
public interface StateEntrySink {
    void accept(int state, byte[] key, byte[] namespace, byte[] mapKey, byte[] value) throws IOException;
}
