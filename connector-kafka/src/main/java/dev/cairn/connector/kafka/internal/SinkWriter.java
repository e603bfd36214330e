package dev.cairn.connector.kafka.internal;

import dev.cairn.connector.kafka.DeliveryGuarantee;
import dev.cairn.connector.kafka.KafkaRecordSerializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One sink subtask's producers. Exactly once: a small pool of transactional ids
 * ({@code prefix-subtask-n}), one producer each, reused once their transaction is committed, so
 * the number of ids stays at the number of checkpoints in flight plus one. At least once: one
 * idempotent producer.
 */
public final class SinkWriter<T> implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SinkWriter.class.getName());
    private static final Duration CLOSE = Duration.ofSeconds(5);
    /** The brokers' default transaction.max.timeout.ms: how long a restore may take to come and commit. */
    static final int DEFAULT_TRANSACTION_TIMEOUT_MS = 15 * 60 * 1000;
    private static final Set<TransactionState> SETTLED = Set.of(TransactionState.EMPTY, TransactionState.COMPLETE_COMMIT,
            TransactionState.COMPLETE_ABORT);

    private final ClientSettings settings;
    private final String topic;
    private final KafkaRecordSerializer<T> serializer;
    private final boolean exactlyOnce;
    private final String prefix;
    private final int subtask;
    /** This run's initialised producers by transactional id. */
    private final Map<String, ResumableProducer> producers = new HashMap<>();
    /** At least once: one producer, no transactions. */
    private KafkaProducer<byte[], byte[]> plain;
    /** Ids whose transaction is open or flushed: not to be begun again before it is committed or aborted. */
    private final Set<String> inUse = new HashSet<>();
    private boolean transactionVersionChecked;
    /** The first failed send of each transaction, reported at its prepare. */
    private final Map<String, Exception> failures = new HashMap<>();

    public SinkWriter(ClientSettings settings, String topic, KafkaRecordSerializer<T> serializer, DeliveryGuarantee guarantee,
                      String prefix, int subtask) {
        this.settings = settings;
        this.topic = topic;
        this.serializer = serializer;
        this.exactlyOnce = guarantee == DeliveryGuarantee.EXACTLY_ONCE;
        this.prefix = prefix;
        this.subtask = subtask;
        if (exactlyOnce) {
            ResumableProducer.requireCompatibleClient();
        }
    }

    /** Begins a transaction (exactly once) or a batch; returns its transactional id ({@code ""} for a batch). */
    public String begin() throws Exception {
        if (!exactlyOnce) {
            if (plain == null) {
                plain = producer(null);
            }
            return "";
        }
        String id;
        for (int n = 0; ; n++) {
            id = prefix + "-" + subtask + "-" + n;
            if (!inUse.contains(id)) {
                break;
            }
        }
        ResumableProducer p = producers.get(id);
        if (p == null) {
            KafkaProducer<byte[], byte[]> initialised = initialised(id); // reached the brokers: the feature check can ask them
            try {
                requireTransactionVersion2();
            } catch (Exception | Error e) {
                initialised.close(Duration.ZERO);
                throw e;
            }
            p = new ResumableProducer(initialised);
            producers.put(id, p);
        }
        p.producer().beginTransaction();
        inUse.add(id);
        return id;
    }

    public void write(String id, T value) throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, serializer.key(value), serializer.value(value));
        KafkaProducer<byte[], byte[]> p = exactlyOnce ? producers.get(id).producer() : plain;
        p.send(record, (metadata, error) -> {
            if (error != null) {
                synchronized (failures) {
                    failures.putIfAbsent(id, error);
                }
            }
        });
    }

    /** Flushes the transaction or batch; returns the transaction's {@code producerId:epoch} ({@code null} for a batch). */
    public String prepare(String id) throws Exception {
        String state = null;
        if (exactlyOnce) {
            state = producers.get(id).flush();
        } else {
            plain.flush();
        }
        Exception failed;
        synchronized (failures) {
            failed = failures.remove(id);
        }
        if (failed != null) {
            throw new IllegalStateException("KafkaSink subtask " + subtask + " could not write to topic '" + topic + "': " + failed.getMessage(), failed);
        }
        return state;
    }

    /**
     * Commits a flushed transaction: one of this run's through its producer, one of a run before (a
     * restore) through a fresh producer that takes it over by its producer id and epoch. A
     * transaction that has ended since (committed before the restore, or aborted on its timeout)
     * refuses that epoch, and there is nothing left to commit.
     */
    public void commit(String id, String prepared) throws Exception {
        if (!exactlyOnce) {
            return;
        }
        ResumableProducer own = producers.get(id);
        if (own != null && inUse.contains(id)) {
            own.producer().commitTransaction();
            inUse.remove(id);
            return;
        }
        ResumableProducer p = new ResumableProducer(producer(id));
        try {
            p.commitResumed(prepared, topic);
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            // transaction version 2 moves the epoch on at each commit: this one was committed before the restore
            LOG.info(() -> "Transaction " + id + "@" + prepared + " was committed before the restore: " + e.getMessage());
        } catch (InvalidTxnStateException e) {
            LOG.severe(() -> "Transaction " + id + "@" + prepared + " of the restored checkpoint was aborted by the broker before the"
                    + " restore could commit it (longer than transaction.timeout.ms, at most the brokers' transaction.max.timeout.ms):"
                    + " its records are missing from topic '" + topic + "'");
        } finally {
            p.producer().close(Duration.ZERO);
        }
    }

    /** Aborts an open or flushed transaction of this run; a producer that fails to is dropped (the next one fences it). */
    public void abort(String id) {
        ResumableProducer p = producers.get(id);
        if (!exactlyOnce || p == null || !inUse.remove(id)) {
            return;
        }
        try {
            p.producer().abortTransaction();
        } catch (RuntimeException e) {
            producers.remove(id);
            p.producer().close(CLOSE);
        }
    }

    /**
     * Aborts every transaction left open under this sink's prefix, by any subtask of any earlier
     * run and parallelism: taking an id over aborts its open transaction.
     */
    public void abortLingering() throws Exception {
        if (!exactlyOnce) {
            return;
        }
        Pattern ours = Pattern.compile(Pattern.quote(prefix) + "-\\d+-\\d+");
        List<String> open;
        try (Admin admin = ClientSettings.create(() -> Admin.create(settings.with(Map.of())))) {
            open = admin.listTransactions().all().get().stream()
                    .filter(t -> ours.matcher(t.transactionalId()).matches() && !SETTLED.contains(t.state()))
                    .map(TransactionListing::transactionalId).toList();
        }
        for (String id : open) {
            initialised(id).close(CLOSE);
            LOG.info(() -> "KafkaSink aborted transaction " + id + ", left open by an earlier run");
        }
    }

    /**
     * Under transaction version 1 an id's next transaction keeps its epoch, so a restore's commit
     * by producer id and epoch could commit a later transaction of the same id: refused.
     */
    private void requireTransactionVersion2() throws Exception {
        if (transactionVersionChecked) {
            return;
        }
        try (Admin admin = ClientSettings.create(() -> Admin.create(settings.with(Map.of())))) {
            var version = admin.describeFeatures().featureMetadata().get().finalizedFeatures().get("transaction.version");
            int level = version == null ? 0 : version.maxVersionLevel();
            if (level < 2) {
                throw new IllegalStateException("bootstrap.servers=" + settings.bootstrapServers() + " runs transaction.version=" + level
                        + ": the exactly-once KafkaSink needs 2 (kafka-features.sh upgrade --feature transaction.version=2),"
                        + " or use DeliveryGuarantee.AT_LEAST_ONCE");
            }
        }
        transactionVersionChecked = true;
    }

    /** A producer that has taken {@code id} over, aborting any transaction left open under it. */
    private KafkaProducer<byte[], byte[]> initialised(String id) throws Exception {
        KafkaProducer<byte[], byte[]> p = producer(id);
        try {
            p.initTransactions();
            return p;
        } catch (TransactionalIdAuthorizationException e) {
            p.close(Duration.ZERO);
            throw new IllegalStateException("bootstrap.servers=" + settings.bootstrapServers() + " refused transactional id '" + id
                    + "': the client needs the WRITE and DESCRIBE permissions on transactional ids " + prefix + "-*", e);
        } catch (org.apache.kafka.common.errors.AuthenticationException e) {
            p.close(Duration.ZERO);
            throw new IllegalStateException("KafkaSink subtask " + subtask + " was refused by bootstrap.servers=" + settings.bootstrapServers()
                    + ": " + e.getMessage() + " (check the security properties: security.protocol, sasl.mechanism, sasl.jaas.config)", e);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            p.close(Duration.ZERO);
            throw new IllegalStateException("KafkaSink subtask " + subtask + " got no answer from bootstrap.servers=" + settings.bootstrapServers()
                    + " within max.block.ms (" + e.getMessage() + ")", e);
        }
    }

    private KafkaProducer<byte[], byte[]> producer(String transactionalId) throws Exception {
        Map<String, String> own = new HashMap<>(Map.of("acks", "all", "enable.idempotence", "true",
                "client.id", "cairn-sink-" + subtask + (transactionalId == null ? "" : "-" + transactionalId)));
        if (transactionalId != null) {
            own.put("transactional.id", transactionalId);
            if (settings.property("transaction.timeout.ms") == null) {
                own.put("transaction.timeout.ms", String.valueOf(DEFAULT_TRANSACTION_TIMEOUT_MS));
            }
        }
        return ClientSettings.create(() -> new KafkaProducer<>(settings.with(own), new ByteArraySerializer(), new ByteArraySerializer()));
    }

    @Override
    public void close() {
        // a graceful close aborts the producer's transaction: one still waiting for its checkpoint must
        // stay open for the restore to commit, so its producer is closed without a word to the broker
        producers.forEach((id, p) -> p.producer().close(inUse.contains(id) ? Duration.ZERO : CLOSE));
        producers.clear();
        if (plain != null) {
            plain.close(CLOSE);
            plain = null;
        }
        inUse.clear();
    }
}
