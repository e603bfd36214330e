package dev.cairn.connector.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.connector.kafka.KafkaBroker;
import dev.cairn.spi.placement.Membership;
import dev.cairn.spi.placement.PartitionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code kafka} placement against a real broker: how a group deals a topic's partitions to processes and moves them. */
class GroupMembershipTest {

    /** One broker for the class; each test has topics and groups of its own. */
    private static KafkaBroker broker;

    private final KafkaGroupPlacement placement = new KafkaGroupPlacement();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new KafkaBroker();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    /** Every callback of every member, in the order they happened. */
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    /** A member's view of its partitions, as the platform keeps it, logging each change. */
    private final class Member implements PartitionListener {
        final String name;
        final Set<Integer> held = Collections.synchronizedSet(new TreeSet<>());

        Member(String name) {
            this.name = name;
        }

        @Override
        public void assigned(Set<Integer> partitions) {
            partitions.forEach(p -> events.add(name + " +" + p));
            held.addAll(partitions);
        }

        /** Takes its time, as a range's checkpoint does: the group must wait for it. */
        @Override
        public void revoked(Set<Integer> partitions) {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            partitions.forEach(p -> events.add(name + " -" + p));
            held.removeAll(partitions);
        }

        @Override
        public void lost(Set<Integer> partitions) {
            partitions.forEach(p -> events.add(name + " lost " + p));
            held.removeAll(partitions);
        }
    }

    @Test
    void partitionsAreDealtOutAndHandedOverOnlyAfterTheirRevocation() throws Exception {
        broker.createTopic("dealt", 6);
        Map<String, String> settings = Map.of("bootstrap.servers", broker.bootstrapServers(), "topic", "dealt",
                "session.timeout.ms", "6000", "heartbeat.interval.ms", "500");
        Member first = new Member("first");
        Member second = new Member("second");
        try (Membership m1 = placement.join("counts", settings, first)) {
            await(() -> first.held.size() == 6, () -> "all six partitions with the only member: " + events);
            assertThat(m1.partitionCount()).isEqualTo(6);
            assertThat(m1.memberName()).startsWith("cairn-counts-");
            try (Membership m2 = placement.join("counts", settings, second)) {
                await(() -> !second.held.isEmpty() && first.held.size() + second.held.size() == 6,
                        () -> "the partitions shared by two members: " + events);
                assertThat(first.held).doesNotContainAnyElementsOf(second.held);
                assertThat(first.held).isNotEmpty();
                for (int p : second.held) {
                    assertThat(events.indexOf("first -" + p)).as("partition %d revoked from the first member (a slow revocation)"
                            + " before the second got it: %s", p, events).isBetween(0, events.indexOf("second +" + p));
                }
                // the coordinator reports the second round of a cooperative rebalance once it completed
                Map<String, Set<Integer>> expected = Map.of(m1.memberName(), new TreeSet<>(first.held), m2.memberName(), new TreeSet<>(second.held));
                await(() -> expected.equals(owners(m2)), () -> "the group to report " + expected + ", not " + owners(m2));
            }
            // the second member left: it gave its partitions back before the first took them
            assertThat(second.held).isEmpty();
            await(() -> first.held.size() == 6, () -> "all six partitions back with the first member: " + events);
            for (int p = 0; p < 6; p++) {
                int given = events.lastIndexOf("second -" + p);
                if (given >= 0) {
                    assertThat(events.lastIndexOf("first +" + p)).as("partition %d back with the first member after the second"
                            + " revoked it: %s", p, events).isGreaterThan(given);
                }
            }
            assertThat(m1.trouble()).isNull();
        }
        assertThat(first.held).as("a member that leaves revokes what it holds").isEmpty();
        assertThat(events).as("joins and leaves hand partitions over; none is lost").noneMatch(e -> e.contains("lost"));
    }

    /**
     * Ranges stopping with a checkpoint can take longer than the session timeout when a process
     * leaves: the group must keep their partitions with it until they are handed over, not move
     * them to another member while the ranges still run.
     */
    @Test
    void aLeavingMemberKeepsItsPartitionsUntilRevokedHoweverLongThatOutlastsTheSessionTimeout() throws Exception {
        int sessionMillis = 6000;
        broker.createTopic("left", 4);
        Map<String, String> settings = Map.of("bootstrap.servers", broker.bootstrapServers(), "topic", "left",
                "session.timeout.ms", String.valueOf(sessionMillis), "heartbeat.interval.ms", "500");
        Member stayer = new Member("stayer");
        Set<Integer> leaverHeld = Collections.synchronizedSet(new TreeSet<>());
        PartitionListener leaver = new PartitionListener() {
            @Override
            public void assigned(Set<Integer> partitions) {
                partitions.forEach(p -> events.add("leaver +" + p));
                leaverHeld.addAll(partitions);
            }

            /** Outlasts the session timeout twice over, unless the group gives the partitions away meanwhile. */
            @Override
            public void revoked(Set<Integer> partitions) {
                long until = System.nanoTime() + Duration.ofMillis(2L * sessionMillis).toNanos();
                while (stayer.held.size() + leaverHeld.size() == 4 && System.nanoTime() < until) {
                    sleep(50);
                }
                partitions.forEach(p -> events.add("leaver -" + p));
                leaverHeld.removeAll(partitions);
            }

            @Override
            public void lost(Set<Integer> partitions) {
                partitions.forEach(p -> events.add("leaver lost " + p));
                leaverHeld.removeAll(partitions);
            }
        };
        try (Membership kept = placement.join("leaving", settings, stayer)) {
            Set<Integer> handedOver;
            try (Membership leaving = placement.join("leaving", settings, leaver)) {
                await(() -> leaverHeld.size() == 2 && stayer.held.size() == 2, () -> "the partitions shared two and two: " + events);
                handedOver = Set.copyOf(leaverHeld);
                events.clear();
            }
            await(() -> stayer.held.size() == 4, () -> "all partitions with the member that stays: " + events);
            for (int p : handedOver) {
                assertThat(events.indexOf("leaver -" + p)).as("partition %d revoked by the leaving member before the other got it: %s",
                        p, events).isBetween(0, events.indexOf("stayer +" + p));
            }
            assertThat(events).noneMatch(e -> e.contains("lost"));
            assertThat(kept.trouble()).isNull();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aMemberWhoseTopicIsMissingSaysSo() throws Exception {
        Member member = new Member("alone");
        try (Membership m = placement.join("waiting", Map.of("bootstrap.servers", broker.bootstrapServers(), "topic", "missing"), member)) {
            await(() -> m.trouble() != null, () -> "the membership to report the missing topic");
            assertThat(m.trouble()).isEqualTo("topic 'missing' does not exist on " + broker.bootstrapServers());
            broker.createTopic("missing", 2);
            await(() -> member.held.size() == 2 && m.trouble() == null, () -> "the topic's partitions once it exists: " + m.trouble());
        }
    }

    @Test
    void badSettingsAreRefusedByName() {
        assertThatThrownBy(() -> placement.validate(Map.of("topic", "in")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("placement bootstrapServers=null is not allowed");
        assertThatThrownBy(() -> placement.validate(Map.of("bootstrap.servers", "h:1", "topic", "a b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("placement.topic=a b is not allowed");
        assertThatThrownBy(() -> placement.validate(Map.of("bootstrap.servers", "h:1", "topic", "in", "partition.assignment.strategy", "range")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("placement.partition.assignment.strategy=range is not allowed");
        assertThatThrownBy(() -> placement.validate(Map.of("bootstrap.servers", "h:1", "topic", "in", "group.id", " ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("placement.group.id=  is not allowed");
        placement.validate(Map.of("bootstrap.servers", "h:1", "topic", "in", "session.timeout.ms", "6000"));
    }

    private static Map<String, Set<Integer>> owners(Membership m) {
        try {
            return m.owners();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Gave up waiting for " + what.get());
            }
            Thread.sleep(50);
        }
    }
}
