package dev.cairn.connector.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.serialization.ByteArrayDataInput;
import dev.cairn.api.serialization.ByteArrayDataOutput;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sink's two-phase commit against a real broker, one subtask driven by hand as the platform drives it. */
class KafkaSinkTransactionsTest {

    static KafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = new KafkaBroker();
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    private KafkaSink<String> sink(String prefix, String topic) {
        return KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.bootstrapServers()).topic(topic)
                .transactionalIdPrefix(prefix).build();
    }

    /** A transaction as a checkpoint stores it and a restore reads it back. */
    private static KafkaTransaction roundTrip(KafkaTransaction t) throws Exception {
        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        KafkaTransaction.Serializer.INSTANCE.serialize(t, out);
        return KafkaTransaction.Serializer.INSTANCE.deserialize(new ByteArrayDataInput().over(out.buffer(), 0, out.length()));
    }

    @Test
    void aPreparedTransactionIsInvisibleUntilCommitted() throws Exception {
        broker.createTopic("visible", 2);
        KafkaSink<String> sink = sink("visible-job", "visible");
        sink.open(0, 1);
        sink.abortLingering(List.of());
        KafkaTransaction t = sink.beginTransaction();
        sink.write(t, "a");
        sink.write(t, "b");
        sink.preCommit(t);
        KafkaTransaction next = sink.beginTransaction();
        assertThat(next.transactionalId()).as("a prepared transaction's id is not reused").isNotEqualTo(t.transactionalId());
        assertThat(broker.readCommitted("visible")).isEmpty();

        sink.commit(t);
        assertThat(broker.readCommittedOnceSettled("visible")).containsExactlyInAnyOrder("a", "b");
        sink.abort(next);
        sink.close();
    }

    /**
     * A run prepares two transactions and dies; the checkpoint it restores from holds the first.
     * The restore commits the first (twice, as a second failure during recovery would) and aborts
     * the second, so its records never show, and the partitions it held are readable again.
     */
    @Test
    void aRestoreCommitsTheCheckpointsTransactionAndAbortsTheRest() throws Exception {
        broker.createTopic("restored", 3);
        KafkaSink<String> crashed = sink("restored-job", "restored");
        crashed.open(0, 2);
        crashed.abortLingering(List.of());
        KafkaTransaction inCheckpoint = crashed.beginTransaction();
        crashed.write(inCheckpoint, "kept-1");
        crashed.write(inCheckpoint, "kept-2");
        crashed.preCommit(inCheckpoint);
        KafkaTransaction after = crashed.beginTransaction();
        crashed.write(after, "lost");
        crashed.preCommit(after);
        KafkaSink<String> otherSubtask = sink("restored-job", "restored");
        otherSubtask.open(1, 2);
        KafkaTransaction open = otherSubtask.beginTransaction();
        otherSubtask.write(open, "open");
        crashed.close(); // producers gone, transactions still open on the broker: as after a kill -9
        otherSubtask.close();
        assertThat(broker.readCommitted("restored")).as("prepared transactions hold read_committed readers back").isEmpty();

        KafkaSink<String> restored = sink("restored-job", "restored");
        restored.open(0, 1);
        KafkaTransaction fromCheckpoint = roundTrip(inCheckpoint);
        restored.commit(fromCheckpoint);
        restored.commit(fromCheckpoint);
        restored.abortLingering(List.of(fromCheckpoint));
        KafkaTransaction fresh = restored.beginTransaction();
        restored.write(fresh, "new");
        restored.preCommit(fresh);
        restored.commit(fresh);
        restored.close();

        assertThat(broker.readCommittedOnceSettled("restored")).containsExactlyInAnyOrder("kept-1", "kept-2", "new");
        assertThat(broker.partitionsWithOpenTransactions("restored")).as("the lingering transactions of both subtasks aborted").isEmpty();
    }

    @Test
    void aSinkWithAnotherPrefixLeavesTransactionsAlone() throws Exception {
        broker.createTopic("prefixes", 1);
        KafkaSink<String> longer = sink("jobs-a-b", "prefixes");
        longer.open(0, 1);
        KafkaTransaction t = longer.beginTransaction();
        longer.write(t, "x");
        longer.preCommit(t);

        KafkaSink<String> shorter = sink("jobs-a", "prefixes");
        shorter.open(0, 1);
        shorter.abortLingering(List.of());
        longer.commit(t);
        assertThat(broker.readCommittedOnceSettled("prefixes")).containsExactly("x");
        longer.close();
        shorter.close();
    }

    @Test
    void anUnreachableBrokerIsNamed() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        KafkaSink<String> sink = KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers("127.0.0.1:" + port)
                .topic("t").transactionalIdPrefix("nowhere").property("max.block.ms", "500").build();
        sink.open(0, 1);
        try {
            assertThatThrownBy(sink::beginTransaction).hasMessageContaining("bootstrap.servers=127.0.0.1:" + port)
                    .hasMessageContaining("max.block.ms");
        } finally {
            sink.close();
        }
    }

    /** Refused credentials fail at once, naming the settings to check and not the secret. */
    @Test
    void wrongCredentialsAreNamedWithoutTheSecret() throws Exception {
        broker.createTopic("secured", 1);
        KafkaSink.Builder<String> builder = KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.saslBootstrapServers())
                .topic("secured").transactionalIdPrefix("secured-job");
        KafkaBroker.saslProperties("wrong-password").forEach(builder::property);
        KafkaSink<String> wrong = builder.build();
        wrong.open(0, 1);
        try {
            assertThatThrownBy(wrong::beginTransaction).hasMessageContaining("sasl.jaas.config")
                    .hasMessageContaining(broker.saslBootstrapServers()).hasMessageNotContaining("wrong-password");
        } finally {
            wrong.close();
        }

        KafkaSink.Builder<String> right = KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.saslBootstrapServers())
                .topic("secured").transactionalIdPrefix("secured-job");
        KafkaBroker.saslProperties(KafkaBroker.SASL_PASSWORD).forEach(right::property);
        KafkaSink<String> sink = right.build();
        sink.open(0, 1);
        KafkaTransaction t = sink.beginTransaction();
        sink.write(t, "through SASL");
        sink.preCommit(t);
        sink.commit(t);
        sink.close();
        assertThat(broker.readCommittedOnceSettled("secured")).containsExactly("through SASL");
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                .topic("t").build())
                .hasMessageContaining("transactionalIdPrefix=null");
        assertThatThrownBy(() -> KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers("no port").topic("t")
                .transactionalIdPrefix("p").build())
                .hasMessageContaining("bootstrapServers=no port").hasMessageContaining("host:port");
        assertThatThrownBy(() -> KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                .topic("t").transactionalIdPrefix("p").property("transactional.id", "mine").build())
                .hasMessageContaining("transactional.id=mine");
    }
}
