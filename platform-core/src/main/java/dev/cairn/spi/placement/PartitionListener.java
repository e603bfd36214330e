package dev.cairn.spi.placement;

import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/** What the platform does when the group moves partitions; implemented by the platform. */
@ProviderType
public interface PartitionListener {

    /** Partitions this process runs from now on, besides those it had; returns once they are started. */
    void assigned(Set<Integer> partitions);

    /**
     * Partitions handed to another process: returns only once their runs stopped with a snapshot
     * in their ledgers, which the next owner restores.
     */
    void revoked(Set<Integer> partitions);

    /**
     * Partitions this process lost without handing them over (its membership expired): another
     * process may run them already, so they stop without a snapshot and their output since the
     * last completed checkpoint is never committed by this process.
     */
    void lost(Set<Integer> partitions);
}
