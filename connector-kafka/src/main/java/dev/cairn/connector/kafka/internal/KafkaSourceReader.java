package dev.cairn.connector.kafka.internal;

import dev.cairn.api.job.SourceContext;
import dev.cairn.api.job.SourceOutput;
import dev.cairn.api.job.SourceReader;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.connector.kafka.KafkaRecordDeserializer;
import dev.cairn.connector.kafka.StartingOffsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One source subtask: assigns itself the partitions it owns (no consumer-group rebalancing: the
 * job's parallelism decides), reads them from the offsets in its state and keeps those offsets
 * current record by record, so that the state written at a barrier covers exactly what was
 * emitted before it.
 */
public final class KafkaSourceReader<T> implements SourceReader<T> {

    private static final Logger LOG = Logger.getLogger(KafkaSourceReader.class.getName());
    static final String STATE = "kafka-partition-offsets";
    /** In the state once the source found its first partitions: a restore then reads partitions new to it from their start. */
    private static final String DISCOVERED = "#discovered";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration METADATA = Duration.ofSeconds(2);

    private final ClientSettings settings;
    private final List<String> topics;
    private final KafkaRecordDeserializer<T> deserializer;
    private final StartingOffsets startingOffsets;
    private final boolean bounded;
    private final long discoveryNanos;
    private final int subtask;
    private final int parallelism;
    /** Set for a range of a job shared by partition: the one partition of each topic it reads. */
    private final OptionalInt inputPartition;
    private final ListState<String> state;
    private final PartitionWatermarks watermarks;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final boolean commitToGroup;

    /** Every partition this subtask owns, assigned or still to be found, in state order. */
    private final Map<TopicPartition, PartitionPosition> positions = new LinkedHashMap<>();
    private final Set<TopicPartition> finished = new HashSet<>();
    private final Set<String> topicsFound = new HashSet<>();
    private final TreeMap<Long, Map<TopicPartition, OffsetAndMetadata>> toCommit = new TreeMap<>();
    private long nextDiscovery = System.nanoTime();
    private boolean warnedUnreachable;
    /**
     * The configured starting offsets apply to the partitions a job that starts without state finds
     * first; a partition or topic that shows up later, or that a restored job's state does not know,
     * is new since, and is read from its start (as Flink's Kafka source does), lest records written
     * to it before the source saw it be skipped.
     */
    private boolean initialPartitions;

    public KafkaSourceReader(SourceContext context, ClientSettings settings, List<String> topics, KafkaRecordDeserializer<T> deserializer,
                             StartingOffsets startingOffsets, boolean bounded, long outOfOrdernessMillis, long idleTimeoutMillis,
                             long discoveryIntervalMillis) throws Exception {
        this.settings = settings;
        this.topics = topics;
        this.deserializer = deserializer;
        this.startingOffsets = startingOffsets;
        this.bounded = bounded;
        this.discoveryNanos = discoveryIntervalMillis * 1_000_000L;
        this.subtask = context.subtaskIndex();
        this.parallelism = context.parallelism();
        this.inputPartition = context.inputPartition();
        this.watermarks = outOfOrdernessMillis < 0 ? null : new PartitionWatermarks(outOfOrdernessMillis, idleTimeoutMillis);
        // union state: after a rescale every subtask sees every partition's offset and keeps its own
        this.state = context.operatorState().getUnionListState(new ListStateDescriptor<>(STATE, Serializers.STRING));
        boolean discoveredBefore = false;
        if (context.isRestored()) {
            for (String s : state.get()) {
                if (s.equals(DISCOVERED)) {
                    discoveredBefore = true;
                    continue;
                }
                discoveredBefore = true; // a snapshot from before the marker: it held positions, so it had found partitions
                PartitionPosition p = PartitionPosition.parse(s);
                if (topics.contains(p.topic()) && owns(p.topic(), p.partition())) {
                    positions.put(new TopicPartition(p.topic(), p.partition()), p);
                }
            }
        }
        // a snapshot taken before the first discovery holds no position: the job starts as if new
        this.initialPartitions = !discoveredBefore;
        this.commitToGroup = settings.property("group.id") != null;
        Map<String, String> own = new HashMap<>(Map.of("enable.auto.commit", "false", "client.id", "cairn-source-" + subtask));
        if (settings.property("auto.offset.reset") == null) {
            own.put("auto.offset.reset", "none"); // records removed before they were read fail the job, see poll()
        }
        if (settings.property("isolation.level") == null) {
            own.put("isolation.level", "read_committed");
        }
        if (settings.property("metadata.max.age.ms") == null) {
            // partitionsFor answers from the client's metadata: without this, new partitions show after 5 minutes
            own.put("metadata.max.age.ms", String.valueOf(discoveryIntervalMillis));
        }
        this.consumer = ClientSettings.create(() -> new KafkaConsumer<>(settings.with(own), new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    }

    /** The consumer's lag behind the ends (with read_committed: the last stable offsets) of its partitions, as of its last fetches. */
    @Override
    public long pendingRecords() {
        if (consumer.assignment().isEmpty()) {
            return -1; // no partition found yet: nothing to tell
        }
        long sum = 0;
        for (TopicPartition tp : consumer.assignment()) {
            java.util.OptionalLong lag = consumer.currentLag(tp);
            if (lag.isEmpty()) {
                return -1; // not fetched yet
            }
            sum += lag.getAsLong();
        }
        return sum;
    }

    /** Whether this subtask reads {@code partition} of {@code topic}. */
    private boolean owns(String topic, int partition) {
        return inputPartition.isPresent() ? partition == inputPartition.getAsInt()
                : PartitionPosition.owner(topic, partition, parallelism) == subtask;
    }

    @Override
    public boolean pollNext(SourceOutput<T> output) throws Exception {
        long now = System.nanoTime();
        if (now - nextDiscovery >= 0) {
            discover(now);
        }
        if (consumer.assignment().isEmpty()) {
            if (bounded && topicsFound.size() == topics.size() && unfinished() == 0) {
                return false;
            }
            Thread.sleep(POLL.toMillis()); // nothing to read yet: topics missing or every partition finished
            return true;
        }
        ConsumerRecords<byte[], byte[]> records = poll();
        long at = System.nanoTime();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            PartitionPosition p = positions.get(tp);
            if (p == null || r.offset() < p.next() || p.finished(r.offset())) {
                continue; // a stale fetch of a partition just sought, or past a bounded end
            }
            positions.put(tp, p.at(r.offset() + 1));
            if (watermarks != null) {
                watermarks.record(tp.toString(), r.timestamp(), at);
            }
            T value = deserializer.deserialize(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value());
            if (value != null) {
                output.collect(value, r.timestamp());
            }
        }
        if (bounded) {
            finishPartitionsAtTheirEnd();
        }
        if (watermarks != null) {
            long w = watermarks.advance(at);
            if (w != Long.MIN_VALUE) {
                output.emitWatermark(w);
            }
        }
        return !(bounded && topicsFound.size() == topics.size() && unfinished() == 0);
    }

    private ConsumerRecords<byte[], byte[]> poll() {
        try {
            return consumer.poll(POLL);
        } catch (AuthenticationException | AuthorizationException e) {
            throw refused(e);
        } catch (OffsetOutOfRangeException e) {
            throw removedBeforeRead(e.offsetOutOfRangePartitions());
        }
    }

    /** Skipping records silently would break exactly-once without a word: the job fails, saying what was lost and how to go on. */
    private IllegalStateException removedBeforeRead(Map<TopicPartition, Long> wanted) {
        StringBuilder lost = new StringBuilder();
        Map<TopicPartition, Long> first;
        try {
            first = consumer.beginningOffsets(wanted.keySet(), METADATA);
        } catch (RuntimeException e) {
            first = Map.of();
        }
        for (Map.Entry<TopicPartition, Long> e : wanted.entrySet()) {
            lost.append(lost.length() == 0 ? "" : ", ").append(e.getKey()).append(" at offset ").append(e.getValue())
                    .append(" (the broker's first offset is now ").append(first.getOrDefault(e.getKey(), -1L)).append(')');
        }
        return new IllegalStateException("KafkaSource subtask " + subtask + " cannot read " + lost + " at bootstrap.servers="
                + settings.bootstrapServers() + ": the records were removed (the topic's retention.ms or retention.bytes, or a"
                + " deletion) before the job read them. Set auto.offset.reset=earliest on the source to go on from the first"
                + " remaining record, accepting the loss");
    }

    private long unfinished() {
        return positions.keySet().stream().filter(tp -> !finished.contains(tp)).count();
    }

    /** A bounded partition is done once the consumer's position (past records and transaction markers) reaches its end. */
    private void finishPartitionsAtTheirEnd() {
        List<TopicPartition> done = new ArrayList<>();
        for (TopicPartition tp : consumer.assignment()) {
            PartitionPosition p = positions.get(tp);
            if (p != null && (p.finished(p.next()) || p.finished(consumer.position(tp)))) {
                done.add(tp);
            }
        }
        if (!done.isEmpty()) {
            finished.addAll(done);
            Set<TopicPartition> keep = new HashSet<>(consumer.assignment());
            keep.removeAll(done);
            consumer.assign(keep);
            if (watermarks != null) {
                done.forEach(tp -> watermarks.removed(tp.toString()));
            }
        }
    }

    /** Finds this subtask's partitions of every topic, assigns new ones and seeks them to where they start. */
    private void discover(long now) {
        nextDiscovery = now + discoveryNanos;
        Map<TopicPartition, PartitionPosition> found = new LinkedHashMap<>();
        for (String topic : topics) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, METADATA);
            } catch (TimeoutException e) {
                if (!warnedUnreachable) {
                    LOG.warning(() -> "KafkaSource subtask " + subtask + " cannot reach bootstrap.servers=" + settings.bootstrapServers()
                            + " (" + e.getMessage() + "); it waits and tries again");
                    warnedUnreachable = true;
                }
                nextDiscovery = now + Math.min(discoveryNanos, 1_000_000_000L);
                return;
            } catch (AuthenticationException | AuthorizationException e) {
                throw refused(e);
            }
            if (infos == null || infos.isEmpty()) {
                if (!topicsFound.contains(topic)) {
                    LOG.warning(() -> "KafkaSource subtask " + subtask + ": topic '" + topic + "' does not exist at bootstrap.servers="
                            + settings.bootstrapServers() + "; the source waits for it");
                    nextDiscovery = now + Math.min(discoveryNanos, 1_000_000_000L);
                }
                continue;
            }
            topicsFound.add(topic);
            for (PartitionInfo info : infos) {
                TopicPartition tp = new TopicPartition(topic, info.partition());
                if (owns(topic, info.partition()) && !consumer.assignment().contains(tp)
                        && !finished.contains(tp)) {
                    found.put(tp, positions.get(tp));
                }
            }
        }
        warnedUnreachable = false;
        if (!found.isEmpty()) {
            try {
                start(found, now);
            } catch (TimeoutException e) {
                // the broker answered the metadata request and not this one: the task fails over and starts afresh
                throw new IllegalStateException("KafkaSource subtask " + subtask + " could not look up the offsets of " + found.keySet()
                        + " at bootstrap.servers=" + settings.bootstrapServers() + ": " + e.getMessage(), e);
            } catch (AuthenticationException | AuthorizationException e) {
                throw refused(e);
            }
        }
        initialPartitions = false;
    }

    private void start(Map<TopicPartition, PartitionPosition> partitions, long now) {
        List<TopicPartition> fresh = partitions.entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey).toList();
        Map<TopicPartition, Long> first = startOffsets(fresh);
        // a bounded source ends where it first sees a partition: now, for one new to it or restored from an unbounded run
        List<TopicPartition> endless = partitions.keySet().stream().filter(tp -> !fresh.contains(tp) && positions.get(tp).stop() < 0).toList();
        List<TopicPartition> toBound = bounded ? java.util.stream.Stream.concat(fresh.stream(), endless.stream()).toList() : List.of();
        Map<TopicPartition, Long> ends = toBound.isEmpty() ? Map.of() : consumer.endOffsets(toBound, METADATA);
        for (TopicPartition tp : fresh) {
            positions.put(tp, new PartitionPosition(tp.topic(), tp.partition(), first.get(tp), bounded ? ends.get(tp) : -1));
        }
        if (bounded) {
            endless.forEach(tp -> positions.put(tp, new PartitionPosition(tp.topic(), tp.partition(), positions.get(tp).next(), ends.get(tp))));
        }
        Set<TopicPartition> assignment = new HashSet<>(consumer.assignment());
        assignment.addAll(partitions.keySet());
        consumer.assign(assignment);
        for (TopicPartition tp : partitions.keySet()) {
            consumer.seek(tp, positions.get(tp).next());
            if (watermarks != null) {
                watermarks.assigned(tp.toString(), now);
            }
        }
    }

    private Map<TopicPartition, Long> startOffsets(List<TopicPartition> fresh) {
        if (fresh.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, Long> earliest = consumer.beginningOffsets(fresh, METADATA);
        return switch (initialPartitions ? startingOffsets : StartingOffsets.EARLIEST) {
            case EARLIEST -> earliest;
            case LATEST -> consumer.endOffsets(fresh, METADATA);
            case COMMITTED -> {
                Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(fresh), METADATA);
                Map<TopicPartition, Long> start = new HashMap<>(earliest);
                committed.forEach((tp, om) -> {
                    if (om != null) {
                        start.put(tp, Math.max(om.offset(), earliest.get(tp)));
                    }
                });
                yield start;
            }
        };
    }

    private IllegalStateException refused(RuntimeException e) {
        return new IllegalStateException("KafkaSource subtask " + subtask + " was refused by bootstrap.servers=" + settings.bootstrapServers()
                + ": " + e.getMessage() + " (check the security properties: security.protocol, sasl.mechanism, sasl.jaas.config, ACLs)", e);
    }

    @Override
    public void snapshotState(long checkpointId) throws Exception {
        List<String> encoded = new ArrayList<>(positions.size());
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, PartitionPosition> e : positions.entrySet()) {
            encoded.add(e.getValue().encode());
            offsets.put(e.getKey(), new OffsetAndMetadata(e.getValue().next()));
        }
        if (!initialPartitions) {
            encoded.add(DISCOVERED);
        }
        state.update(encoded);
        if (commitToGroup) {
            toCommit.put(checkpointId, offsets);
        }
    }

    /** Offsets go to the consumer group for monitoring (lag) only once the checkpoint holding them completed. */
    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Map.Entry<Long, Map<TopicPartition, OffsetAndMetadata>> done = toCommit.floorEntry(checkpointId);
        if (done == null) {
            return;
        }
        toCommit.headMap(checkpointId, true).clear();
        consumer.commitAsync(done.getValue(), (offsets, error) -> {
            if (error != null) {
                LOG.log(Level.FINE, "Offsets of checkpoint " + checkpointId + " not committed to the group (monitoring only)", error);
            }
        });
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
