package dev.cairn.spi.snapshot;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What changed in key groups since an earlier snapshot of them: what a delta section holds. The
 * unit of change is one state's key and namespace. Restoring applies a delta to the sections
 * before it: first its removals, then each changed key and namespace, whose entries replace all
 * that key and namespace had in that state (every element of a list, every entry of a map).
 *
 * @since 1.2
 */
@ConsumerType
public interface KeyGroupChanges {

    /** Takes one state's removed key and namespace, each in its serializer's bytes. */
    @FunctionalInterface
    interface RemovalSink {
        void removed(int state, byte[] key, byte[] namespace) throws IOException;
    }

    /** Hands every entry of each key and namespace of {@code keyGroup} written since the earlier snapshot to {@code sink}. */
    void readChanged(int keyGroup, StateEntrySink sink) throws IOException;

    /**
     * Hands each key and namespace of {@code keyGroup} removed since the earlier snapshot to
     * {@code sink}, including one written again afterwards (it comes from {@link #readChanged} too).
     */
    void readRemoved(int keyGroup, RemovalSink sink) throws IOException;
}
