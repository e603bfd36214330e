package dev.cairn.spi.placement;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A way for platform processes to share a job by partition (a Kafka consumer group, …). Register
 * it as an OSGi service with the property {@value #NAME_PROPERTY}; a job names it in
 * {@code job.placement} and passes it its {@code placement.*} properties (without the prefix).
 */
@ConsumerType
public interface JobPlacement {

    /** Service property holding the placement's name. */
    String NAME_PROPERTY = "cairn.placement";

    /**
     * Checks a job's settings without side effects.
     *
     * @throws IllegalArgumentException naming the property ({@code placement.x}), its value and what is allowed
     */
    void validate(Map<String, String> settings);

    /**
     * Joins the group that runs job {@code jobName}. The listener hears of partitions from the
     * membership's own thread, one call at a time, and the group waits for each call: a process
     * hands a partition over only once {@link PartitionListener#revoked} returned.
     *
     * @throws IllegalArgumentException for settings {@link #validate} refuses
     */
    Membership join(String jobName, Map<String, String> settings, PartitionListener listener) throws Exception;
}
