package dev.cairn.spi.placement;

import java.util.Map;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/** One process's place in a job's group. */
@ConsumerType
public interface Membership extends AutoCloseable {

    /** This process's name in the group. */
    String memberName();

    /**
     * Which member runs which partitions, as the group reports it now (members by name, each
     * with its partitions); partitions nobody runs are left out.
     */
    Map<String, Set<Integer>> owners() throws Exception;

    /**
     * What keeps the membership from working now (the group's coordinator unreachable, refused
     * credentials…), or {@code null} when it works; the console shows it.
     */
    String trouble();

    /** The partitions of the job's input: every one is a range of the job. */
    int partitionCount() throws Exception;

    /** Leaves the group: {@link PartitionListener#revoked} for every partition this process runs first. */
    @Override
    void close();
}
