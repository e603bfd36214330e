package dev.cairn.connector.kafka.internal;

import dev.cairn.spi.placement.JobPlacement;
import dev.cairn.spi.placement.Membership;
import dev.cairn.spi.placement.PartitionListener;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * Placement {@code kafka}: the processes that run a job join a Kafka consumer group subscribed to
 * the job's input topic, and each partition the group gives a process is a range of the job.
 * Kafka finds members that died (the group's session timeout) and deals their partitions out.
 *
 * <p>Settings ({@code placement.*}): {@code bootstrap.servers} and {@code topic} (required),
 * {@code group.id} (default {@code cairn-<job>}), and any other Kafka consumer property
 * (security, {@code session.timeout.ms}, …).
 */
@Component(service = JobPlacement.class, property = JobPlacement.NAME_PROPERTY + "=" + KafkaGroupPlacement.NAME)
public final class KafkaGroupPlacement implements JobPlacement {

    static final String NAME = "kafka";
    /** Set by the placement: the membership reads no records, and only cooperative rebalancing moves just what moves. */
    private static final List<String> OWNED = List.of("enable.auto.commit", "key.deserializer", "value.deserializer",
            "partition.assignment.strategy", "group.protocol", "group.instance.id");

    @Override
    public void validate(Map<String, String> settings) {
        ClientSettings.checkBootstrapServers("placement", settings.get("bootstrap.servers"));
        String topic = settings.get("topic");
        if (topic == null || !topic.matches("[A-Za-z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("placement.topic=" + topic + " is not allowed: name the input topic whose partitions"
                    + " are the job's ranges (letters, digits, '.', '_', '-')");
        }
        String group = settings.get("group.id");
        if (group != null && group.isBlank()) {
            throw new IllegalArgumentException("placement.group.id=" + group + " is not allowed: name a consumer group, or leave it"
                    + " unset for cairn-<job>");
        }
        for (String owned : OWNED) {
            if (settings.containsKey(owned)) {
                throw new IllegalArgumentException("placement." + owned + "=" + settings.get(owned) + " is not allowed: the placement"
                        + " sets it (its consumer only holds the group's partitions, through cooperative rebalancing)");
            }
        }
    }

    @Override
    public Membership join(String jobName, Map<String, String> settings, PartitionListener listener) throws Exception {
        validate(settings);
        return GroupMembership.join(jobName, settings, listener);
    }
}
