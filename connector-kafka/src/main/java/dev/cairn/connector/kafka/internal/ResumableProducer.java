package dev.cairn.connector.kafka.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.internals.TransactionManager;
import org.apache.kafka.common.utils.internals.ProducerIdAndEpoch;

/**
 * A transactional producer whose open transaction another producer can commit after a crash.
 * Kafka's public producer API cannot do that yet: KIP-939's {@code initTransactions(keepPreparedTxn)}
 * is in Kafka's client but its 4.4 brokers answer it with UNSUPPORTED_VERSION. So, as Flink's Kafka
 * sink does, the producer id and epoch of a flushed transaction are recorded at the checkpoint, and
 * a restore puts them into a fresh producer's transaction manager and commits. This class is the only
 * place that reaches into the client's internals, and fails at once, naming what it misses, if the
 * embedded client is not the one it was written for.
 */
final class ResumableProducer {

    /** The client's internals this class uses, looked up once; {@code null} if the embedded client lacks one. */
    private static final Internals INTERNALS;
    private static final IllegalStateException INCOMPATIBLE;

    static {
        Internals found = null;
        IllegalStateException failure = null;
        try {
            found = new Internals();
        } catch (ReflectiveOperationException | RuntimeException e) {
            failure = incompatible(e);
        }
        INTERNALS = found;
        INCOMPATIBLE = failure;
    }

    private record Internals(Field transactionManager, Field producerIdAndEpoch, Field partitions, Field started,
                             Method transition, Method resetPartitions, Class<?> state) {
        Internals() throws ReflectiveOperationException {
            this(field(KafkaProducer.class, "transactionManager"), field(TransactionManager.class, "producerIdAndEpoch"),
                    field(TransactionManager.class, "txnPartitionMap"), field(TransactionManager.class, "transactionStarted"),
                    method(TransactionManager.class, "transitionTo",
                            Class.forName("org.apache.kafka.clients.producer.internals.TransactionManager$State")),
                    method(field(TransactionManager.class, "txnPartitionMap").getType(), "reset"),
                    Class.forName("org.apache.kafka.clients.producer.internals.TransactionManager$State"));
        }
    }

    /**
     * Fails, naming what it misses, if the embedded client is not the one this class was written
     * for: called before any producer exists, so a mismatch leaks none and fails every attempt alike.
     */
    static void requireCompatibleClient() {
        if (INCOMPATIBLE != null) {
            throw new IllegalStateException(INCOMPATIBLE.getMessage(), INCOMPATIBLE.getCause());
        }
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final TransactionManager transactions;

    ResumableProducer(KafkaProducer<byte[], byte[]> producer) {
        requireCompatibleClient();
        this.producer = producer;
        try {
            this.transactions = (TransactionManager) INTERNALS.transactionManager().get(producer);
        } catch (IllegalAccessException e) {
            throw incompatible(e);
        }
    }

    KafkaProducer<byte[], byte[]> producer() {
        return producer;
    }

    /** Flushes the open transaction and returns what commits it later: {@code producerId:epoch}. */
    String flush() {
        producer.flush();
        try {
            ProducerIdAndEpoch p = (ProducerIdAndEpoch) INTERNALS.producerIdAndEpoch().get(transactions);
            return p.producerId + ":" + p.epoch;
        } catch (IllegalAccessException e) {
            throw incompatible(e);
        }
    }

    /**
     * Commits the transaction {@code state} names, opened by a producer that is gone. This producer
     * must be new (never initialised): it takes that transaction over instead of starting its own.
     */
    void commitResumed(String state, String topic) {
        int colon = state.indexOf(':');
        ProducerIdAndEpoch p = new ProducerIdAndEpoch(Long.parseLong(state.substring(0, colon)), Short.parseShort(state.substring(colon + 1)));
        producer.partitionsFor(topic); // learns the brokers' versions: a transaction of version 2 ends with the request of version 2
        transactions.maybeUpdateTransactionV2Enabled(true);
        synchronized (transactions) {
            try {
                Method transition = INTERNALS.transition();
                transition.invoke(transactions, state("INITIALIZING"));
                INTERNALS.resetPartitions().invoke(INTERNALS.partitions().get(transactions));
                INTERNALS.producerIdAndEpoch().set(transactions, p);
                transition.invoke(transactions, state("READY"));
                transition.invoke(transactions, state("IN_TRANSACTION"));
                INTERNALS.started().setBoolean(transactions, true); // otherwise the commit sends no EndTxn
            } catch (ReflectiveOperationException e) {
                throw incompatible(e);
            }
        }
        producer.commitTransaction();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object state(String name) {
        return Enum.valueOf((Class) INTERNALS.state(), name);
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    private static Method method(Class<?> type, String name, Class<?>... parameters) throws NoSuchMethodException {
        Method m = type.getDeclaredMethod(name, parameters);
        m.setAccessible(true);
        return m;
    }

    private static IllegalStateException incompatible(Exception e) {
        return new IllegalStateException("The embedded Kafka client is not the 4.4 client the Kafka sink resumes transactions on: " + e, e);
    }
}
