package dev.cairn.connector.kafka.internal;

import dev.cairn.spi.placement.Membership;
import dev.cairn.spi.placement.PartitionListener;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One process's member of a job's consumer group. Its consumer subscribes to the input topic but
 * keeps every partition paused: it holds partitions, it never reads them (the ranges' sources
 * read them by assignment, from the offsets in their state). It polls on a thread of its own, and
 * the group's rebalance callbacks run there, so a revoked partition moves on only once its range
 * stopped with a checkpoint.
 */
final class GroupMembership implements Membership, ConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(GroupMembership.class.getName());
    private static final Duration POLL = Duration.ofMillis(200);
    /** The console waits this long for the group's answers: a page must not hang on a broker that does not answer. */
    private static final Duration QUERY = Duration.ofSeconds(3);
    /** How often a member holding no partition checks that it can reach the cluster and the topic. */
    private static final long CHECK_NANOS = 5_000_000_000L;
    private static final java.util.concurrent.atomic.AtomicInteger JOINS = new java.util.concurrent.atomic.AtomicInteger();

    private final String jobName;
    private final String topic;
    private final String groupId;
    private final String memberName;
    private final ClientSettings settings;
    private final PartitionListener listener;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean closing;
    private volatile String trouble;
    private Admin admin;

    private GroupMembership(String jobName, Map<String, String> placement, PartitionListener listener) throws Exception {
        this.jobName = jobName;
        this.topic = placement.get("topic");
        this.groupId = placement.getOrDefault("group.id", "cairn-" + jobName);
        int n = JOINS.incrementAndGet();
        // the group reports members by client id: host and process, and which join of this process when there were several
        this.memberName = "cairn-" + jobName + "-" + InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid()
                + (n == 1 ? "" : "-" + n);
        this.listener = listener;
        Map<String, String> clientProperties = new HashMap<>(placement);
        clientProperties.remove("topic");
        clientProperties.remove("bootstrap.servers");
        this.settings = new ClientSettings("placement", placement.get("bootstrap.servers"), clientProperties);
        Map<String, String> own = new HashMap<>(Map.of("group.id", groupId, "client.id", memberName, "enable.auto.commit", "false",
                "partition.assignment.strategy", CooperativeStickyAssignor.class.getName(), "auto.offset.reset", "latest"));
        if (!placement.containsKey("max.poll.interval.ms")) {
            // as Kafka Streams: a handover takes as long as its ranges' checkpoints take, and the group must wait for it, or a
            // range would run on two processes; a process that dies is still found by the session timeout
            own.put("max.poll.interval.ms", String.valueOf(Integer.MAX_VALUE));
        }
        this.consumer = ClientSettings.create(() -> new KafkaConsumer<>(settings.with(own), new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        this.thread = new Thread(this::run, "cairn-placement-" + jobName);
        this.thread.setDaemon(true);
    }

    static GroupMembership join(String jobName, Map<String, String> placement, PartitionListener listener) throws Exception {
        GroupMembership m = new GroupMembership(jobName, placement, listener);
        m.consumer.subscribe(List.of(m.topic), m);
        m.thread.start();
        return m;
    }

    private void run() {
        long checkedAt = System.nanoTime();
        try {
            while (!closing) {
                try {
                    consumer.poll(POLL);
                    if (!consumer.assignment().isEmpty()) {
                        trouble = null;
                    } else if (System.nanoTime() - checkedAt > CHECK_NANOS) {
                        // a poll does not fail when the cluster does not answer: a member without partitions asks why
                        checkedAt = System.nanoTime();
                        trouble = reachable();
                    }
                } catch (WakeupException e) {
                    // close() woke the poll up: the loop ends
                } catch (RuntimeException | Error e) {
                    // the thread must outlive a failed poll or callback: the group would keep this member's partitions
                    String what = "the group " + groupId + " on " + settings.bootstrapServers() + " failed: " + e;
                    if (!what.equals(trouble)) {
                        LOG.log(Level.WARNING, "Job " + jobName + ": " + what + "; retrying every second", e);
                    }
                    trouble = what;
                    sleepQuietly(1000);
                }
            }
        } finally {
            leaveGroup();
            try {
                consumer.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Job " + jobName + ": leaving the group " + groupId + " failed", e);
            }
        }
    }

    /**
     * Revokes the partitions held here (their ranges stop with a checkpoint), then leaves the
     * group. Not through {@code close()}: it stops the heartbeat thread before it revokes, so
     * revocations longer than {@code session.timeout.ms} would have the group move the partitions
     * while their ranges still run here. {@code unsubscribe()} revokes with heartbeats going on.
     */
    private void leaveGroup() {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                consumer.unsubscribe();
                return;
            } catch (WakeupException e) {
                // the wakeup that ended the last poll was still pending: it is consumed now, the next attempt runs
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Job " + jobName + ": handing the partitions over before leaving the group " + groupId
                        + " failed", e);
                return;
            }
        }
    }

    /** Why this member holds no partition, as far as a metadata request tells: {@code null} when the topic is there. */
    private String reachable() {
        try {
            List<?> partitions = consumer.partitionsFor(topic, QUERY);
            return partitions == null || partitions.isEmpty() ? "topic '" + topic + "' does not exist on " + settings.bootstrapServers() : null;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return "no answer from bootstrap.servers=" + settings.bootstrapServers() + " within " + QUERY.toSeconds() + " s";
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            return "the cluster refused the group's metadata request: " + e;
        }
    }

    private void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        consumer.pause(partitions);
        if (!partitions.isEmpty()) {
            listener.assigned(numbers(partitions));
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            listener.revoked(numbers(partitions));
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            listener.lost(numbers(partitions));
        }
    }

    private Set<Integer> numbers(Collection<TopicPartition> partitions) {
        return partitions.stream().filter(tp -> tp.topic().equals(topic)).map(TopicPartition::partition)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Override
    public String trouble() {
        return trouble;
    }

    @Override
    public String memberName() {
        return memberName;
    }

    /** One admin client for the console's questions, made at the first one: the console asks often. */
    private synchronized Admin admin() throws Exception {
        if (closing) {
            throw new IllegalStateException("Job " + jobName + " has left its group");
        }
        if (admin == null) {
            admin = ClientSettings.create(() -> Admin.create(settings.with(Map.of("client.id", memberName + "-admin"))));
        }
        return admin;
    }

    @Override
    public Map<String, Set<Integer>> owners() throws Exception {
        ConsumerGroupDescription group = admin().describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId)
                .get(QUERY.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, Set<Integer>> owners = new TreeMap<>();
        for (MemberDescription m : group.members()) {
            Set<Integer> owned = numbers(m.assignment().topicPartitions());
            if (!owned.isEmpty()) {
                owners.computeIfAbsent(m.clientId(), k -> new TreeSet<>()).addAll(owned);
            }
        }
        return owners;
    }

    @Override
    public int partitionCount() throws Exception {
        return admin().describeTopics(List.of(topic)).allTopicNames().get(QUERY.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().size();
    }

    @Override
    public void close() {
        synchronized (this) {
            closing = true;
            if (admin != null) {
                admin.close(QUERY);
            }
        }
        consumer.wakeup();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
