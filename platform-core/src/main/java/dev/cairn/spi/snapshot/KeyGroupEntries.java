package dev.cairn.spi.snapshot;

import dev.cairn.spi.backend.KeyGroupRange;
import java.io.IOException;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Keyed state read key group by key group, in the backend-neutral form. A backend hands one to
 * the kernel for a full or canonical snapshot (a consistent view captured by the snapshot's
 * synchronous part); the kernel hands one to a backend on restore (whatever backend, format and
 * key-group count wrote the snapshot). This exchange is what makes switching backends possible.
 */
@ConsumerType
public interface KeyGroupEntries extends AutoCloseable {

    /** The states the entries belong to; {@link StateEntrySink#accept}'s {@code state} indexes this list. */
    List<StateMetaInfo> states();

    /** The key groups the view covers. */
    KeyGroupRange keyGroupRange();

    /**
     * Hands every entry of {@code keyGroup} to {@code sink}, the entries of one state together.
     * A backend's view is read for ascending key groups from one thread; the kernel's restore view
     * may be read for distinct key groups from several threads at once.
     */
    void read(int keyGroup, StateEntrySink sink) throws IOException;

    /**
     * Whether a backend's view may also be read from several threads at once, each reading
     * ascending key groups of its own consecutive run. The kernel then writes the runs of a full
     * or canonical snapshot in parallel.
     *
     * @since 1.1
     */
    default boolean readsConcurrently() {
        return false;
    }

    /** Releases what the view holds (a database snapshot, copy-on-write versions). */
    @Override
    void close();
}
