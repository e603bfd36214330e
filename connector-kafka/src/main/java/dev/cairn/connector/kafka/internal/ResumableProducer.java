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

    private static final Field TRANSACTION_MANAGER = field(KafkaProducer.class, "transactionManager");
    private static final Field PRODUCER_ID_AND_EPOCH = field(TransactionManager.class, "producerIdAndEpoch");
    private static final Field PARTITIONS = field(TransactionManager.class, "txnPartitionMap");
    private static final Field STARTED = field(TransactionManager.class, "transactionStarted");
    private static final Method TRANSITION;
    private static final Method RESET_PARTITIONS;
    private static final Class<?> STATE;

    static {
        try {
            STATE = Class.forName("org.apache.kafka.clients.producer.internals.TransactionManager$State");
            TRANSITION = TransactionManager.class.getDeclaredMethod("transitionTo", STATE);
            TRANSITION.setAccessible(true);
            RESET_PARTITIONS = PARTITIONS.getType().getDeclaredMethod("reset");
            RESET_PARTITIONS.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw incompatible(e);
        }
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final TransactionManager transactions;

    ResumableProducer(KafkaProducer<byte[], byte[]> producer) {
        this.producer = producer;
        try {
            this.transactions = (TransactionManager) TRANSACTION_MANAGER.get(producer);
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
            ProducerIdAndEpoch p = (ProducerIdAndEpoch) PRODUCER_ID_AND_EPOCH.get(transactions);
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
                TRANSITION.invoke(transactions, state("INITIALIZING"));
                RESET_PARTITIONS.invoke(PARTITIONS.get(transactions));
                PRODUCER_ID_AND_EPOCH.set(transactions, p);
                TRANSITION.invoke(transactions, state("READY"));
                TRANSITION.invoke(transactions, state("IN_TRANSACTION"));
                STARTED.setBoolean(transactions, true); // otherwise the commit sends no EndTxn
            } catch (ReflectiveOperationException e) {
                throw incompatible(e);
            }
        }
        producer.commitTransaction();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object state(String name) {
        return Enum.valueOf((Class) STATE, name);
    }

    private static Field field(Class<?> type, String name) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw incompatible(e);
        }
    }

    private static IllegalStateException incompatible(Exception e) {
        return new IllegalStateException("The embedded Kafka client is not the 4.4 client the Kafka sink resumes transactions on: " + e, e);
    }
}
