package dev.cairn.spi.snapshot;

import java.io.IOException;
import java.util.Arrays;

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

    /**
     * The same entry with its parts back to back in {@code parts} from offset 0: key, namespace,
     * map key ({@code mapKeyLength < 0} when there is none) and value. A backend can serialize
     * every entry into one reused buffer this way; a sink copies what it keeps before returning.
     * The kernel's snapshot writer takes entries this way without an array per part.
     *
     * @since 1.1
     */
    /**
     * Key, namespace, map key ({@code null}: none) and value back to back, as the six-argument
     * {@code accept} takes them: for a sink that keeps entries in that form.
     *
     * @since 1.2
     */
    static byte[] joined(byte[] key, byte[] namespace, byte[] mapKey, byte[] value) {
        int mapKeyLength = mapKey == null ? 0 : mapKey.length;
        byte[] parts = Arrays.copyOf(key, key.length + namespace.length + mapKeyLength + value.length);
        System.arraycopy(namespace, 0, parts, key.length, namespace.length);
        if (mapKey != null) {
            System.arraycopy(mapKey, 0, parts, key.length + namespace.length, mapKeyLength);
        }
        System.arraycopy(value, 0, parts, key.length + namespace.length + mapKeyLength, value.length);
        return parts;
    }

    default void accept(int state, byte[] parts, int keyLength, int namespaceLength, int mapKeyLength, int valueLength) throws IOException {
        int namespaceStart = keyLength;
        int mapKeyStart = namespaceStart + namespaceLength;
        int valueStart = mapKeyStart + Math.max(mapKeyLength, 0);
        accept(state, Arrays.copyOfRange(parts, 0, keyLength), Arrays.copyOfRange(parts, namespaceStart, mapKeyStart),
                mapKeyLength < 0 ? null : Arrays.copyOfRange(parts, mapKeyStart, valueStart),
                Arrays.copyOfRange(parts, valueStart, valueStart + valueLength));
    }
}
