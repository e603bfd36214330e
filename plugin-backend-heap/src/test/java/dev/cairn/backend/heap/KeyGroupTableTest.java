package dev.cairn.backend.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.cairn.spi.backend.KeyGroups;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Copy-on-write: what a snapshot saw stays as it was, whatever the table does next; and the change
 * logs of both tables, chained (any key) and unboxed {@code Long} keys.
 */
class KeyGroupTableTest {

    enum Table {
        /** Any key, half of them with few hash values: long chains, so copies of chain prefixes are exercised. */
        CHAINED(ChainedKeyGroupTable::new, id -> id % 2 == 0 ? Integer.valueOf(id) : new CollidingKey(id % 600)),
        /** Long keys, half of them far apart: long probe runs that wrap around, and pages copied as runs shift back. */
        LONG_KEYS(LongKeyGroupTable::new, id -> id % 2 == 0 ? Long.valueOf(id) : Long.valueOf(id * 0xC2B2_AE3D_27D4_EB4FL));

        final Supplier<KeyGroupTable> create;
        final IntFunction<Object> key;

        Table(Supplier<KeyGroupTable> create, IntFunction<Object> key) {
            this.create = create;
            this.key = key;
        }

        /** One of {@code distinct} keys, or fewer. */
        Object key(SplittableRandom random, int distinct) {
            return key.apply(random.nextInt(distinct));
        }
    }

    /** Keys with few hash values. */
    private record CollidingKey(int id) {
        @Override
        public int hashCode() {
            return id % 7;
        }
    }

    private static Map<Object, Object> contents(KeyGroupTable.View view) throws Exception {
        Map<Object, Object> seen = new HashMap<>();
        view.forEachChangedSince(-1, (k, v) -> assertThat(seen.put(k, v)).as("key %s seen once", k).isNull());
        return seen;
    }

    @ParameterizedTest
    @EnumSource(Table.class)
    void everyViewKeepsTheContentsOfItsMomentThroughPutsRemovesAndGrowth(Table kind) throws Exception {
        exercise(kind, kind.create.get(), new HashMap<>(), new SplittableRandom(3), 200_000);
    }

    /**
     * A table restored with its values left in bytes (some replaced by later entries, some restored
     * as objects) reads, changes and snapshots as one restored with objects, and lets go of the
     * bytes once every value was replaced.
     */
    @Test
    void aTableRestoredWithValuesInBytesBehavesAsOneRestoredWithObjects() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        LongKeyGroupTable table = new LongKeyGroupTable();
        Map<Object, Object> model = new HashMap<>();
        for (int i = 0; i < 1_000; i++) { // restored as objects, some replaced by values in bytes below
            Long key = (Long) Table.LONG_KEYS.key(random, 6_000);
            int value = random.nextInt();
            table.putRestored(key, value);
            model.put(key, value);
        }
        dev.cairn.api.serialization.TypeSerializer<Object> ints = (dev.cairn.api.serialization.TypeSerializer<Object>)
                (Object) dev.cairn.api.serialization.Serializers.INT;
        SerializedValues bytes = new SerializedValues("s", ints, dev.cairn.spi.snapshot.SerializerSnapshotRef.of(ints), 16);
        dev.cairn.api.serialization.ByteArrayDataOutput out = new dev.cairn.api.serialization.ByteArrayDataOutput();
        int count = 8_000; // with duplicates: the later value wins
        long[] keys = new long[count];
        int[] at = new int[count];
        for (int i = 0; i < count; i++) {
            keys[i] = (Long) Table.LONG_KEYS.key(random, 6_000);
            int value = random.nextInt();
            out.truncate(0);
            out.write(new byte[] {1, 2, 3}); // other parts of the entry come before the value
            out.writeInt(value);
            at[i] = bytes.append(out.buffer(), 3, 4);
            model.put(keys[i], value);
        }
        table.putAllRestoredSerialized(bytes, keys, at, count);
        assertThat(table.size()).isEqualTo(model.size());
        assertThat(table.valuesInBytes()).as("values left in bytes").isGreaterThan(model.size() / 2);
        CopyOnWriteVersions versions = new CopyOnWriteVersions();
        int v = versions.startSnapshot();
        assertThat(contents(table.view())).as("a snapshot right after the restore").isEqualTo(model);
        versions.releaseSnapshot(v);
        int inBytes = table.valuesInBytes();
        for (Object key : table.keys()) {
            assertThat(table.get(key)).isEqualTo(model.get(key));
        }
        assertThat(table.valuesInBytes()).as("values left in bytes: reads do not store them").isEqualTo(inBytes);

        exercise(Table.LONG_KEYS, table, model, random, 50_000);
        for (Object key : table.keys()) {
            table.put(key, table.get(key), versions);
        }
        assertThat(table.valuesInBytes()).as("values left in bytes once every one was written").isZero();
        assertThat(contents(table.view())).isEqualTo(model);
    }

    private static void exercise(Table kind, KeyGroupTable table, Map<Object, Object> model, SplittableRandom random, int steps)
            throws Exception {
        CopyOnWriteVersions versions = new CopyOnWriteVersions();
        record Open(int version, KeyGroupTable.View view, Map<Object, Object> expected) {
        }
        List<Open> open = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            int op = random.nextInt(100);
            Object key = kind.key(random, 6_000);
            if (op < 55) {
                Object value = random.nextInt();
                table.put(key, value, versions);
                model.put(key, value);
            } else if (op < 60) {
                assertThat(op % 2 == 0 ? table.get(key) : table.getOwned(key, versions, value -> value)).isEqualTo(model.get(key));
            } else if (op < 90) {
                table.remove(key, versions);
                model.remove(key);
            } else if (op < 95 && open.size() < 3) {
                int v = versions.startSnapshot();
                open.add(new Open(v, table.view(), new HashMap<>(model)));
            } else if (!open.isEmpty()) {
                Open done = open.remove(random.nextInt(open.size()));
                assertThat(contents(done.view())).as("snapshot %d at step %d", done.version(), step).isEqualTo(done.expected());
                versions.releaseSnapshot(done.version());
            }
            if (step % 997 == 0) {
                assertThat(table.get(key)).isEqualTo(model.get(key));
                assertThat(table.size()).isEqualTo(model.size());
            }
        }
        for (Open o : open) {
            assertThat(contents(o.view())).isEqualTo(o.expected());
        }
        int v = versions.startSnapshot();
        assertThat(contents(table.view())).isEqualTo(model);
        versions.releaseSnapshot(v);
        for (Map.Entry<Object, Object> e : model.entrySet()) {
            assertThat(table.get(e.getKey())).isEqualTo(e.getValue());
        }
    }

    /**
     * Each snapshot, read as a delta over the one before (its removals, then what changed since),
     * turns the earlier snapshot's contents into its own, and visits only keys written since:
     * entries copied because a snapshot saw them, though unchanged, are not in the delta.
     */
    @ParameterizedTest
    @EnumSource(Table.class)
    void aDeltaOverTheLastSnapshotVisitsOnlyWhatWasWrittenSinceAndRebuildsTheNext(Table kind) throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        CopyOnWriteVersions versions = new CopyOnWriteVersions();
        KeyGroupTable table = kind.create.get();
        Map<Object, Object> model = new HashMap<>();
        Map<Object, Object> atBase = new HashMap<>();
        java.util.Set<Object> writtenSinceBase = new java.util.HashSet<>();
        int base = versions.startSnapshot();
        versions.releaseSnapshot(base);
        versions.useBase(base);
        for (int round = 0; round < 300; round++) {
            // a snapshot held open while writes go on: chains it sees are copied, not changed
            int held = versions.startSnapshot();
            int writes = 1 + random.nextInt(400);
            for (int w = 0; w < writes; w++) {
                Object key = kind.key(random, 10_000);
                if (random.nextInt(10) < 8) {
                    Object value = random.nextInt();
                    table.put(key, value, versions);
                    model.put(key, value);
                } else {
                    table.remove(key, versions);
                    model.remove(key);
                }
                writtenSinceBase.add(key);
            }
            versions.releaseSnapshot(held);

            int v = versions.startSnapshot();
            KeyGroupTable.View view = table.view();
            Map<Object, Object> rebuilt = new HashMap<>(atBase);
            view.forEachRemovedSince(base, rebuilt::remove);
            java.util.Set<Object> visited = new java.util.HashSet<>();
            view.forEachChangedSince(base, (k, value) -> {
                assertThat(visited.add(k)).as("key %s visited once", k).isTrue();
                rebuilt.put(k, value);
            });
            versions.releaseSnapshot(v);
            assertThat(rebuilt).as("round %d", round).isEqualTo(model);
            assertThat(writtenSinceBase).as("round %d: only keys written since the base", round).containsAll(visited);
            assertThat(view.countChangedSince(base)).isGreaterThanOrEqualTo(visited.size());
            versions.useBase(v);
            base = v;
            atBase = new HashMap<>(model);
            writtenSinceBase.clear();
        }
    }

    /**
     * A restore fills a table in the slot order of the table a snapshot was written from, and
     * growth re-inserts in slot order: under one hash for every capacity those keys came in sweeps
     * that piled up (a 10M-key restore took six times as long). Each capacity hashes differently.
     */
    @Test
    void aTableFilledInAnotherTablesSlotOrderKeepsItsProbeRunsShort() throws Exception {
        CopyOnWriteVersions versions = new CopyOnWriteVersions();
        LongKeyGroupTable written = new LongKeyGroupTable();
        for (long k = 0; k < 10_000_000; k++) {
            if (KeyGroups.keyGroupFor(k, 128) == 5) { // one key group's keys of a job keyed by sequential ids
                written.put(k, "v", versions);
            }
        }
        LongKeyGroupTable restored = new LongKeyGroupTable();
        double[] worst = {0};
        written.view().forEachChangedSince(-1, (key, value) -> {
            restored.putRestored(key, value);
            if (restored.size() % 1000 == 0) { // growth tidies up: look while the table fills
                worst[0] = Math.max(worst[0], restored.meanDisplacement());
            }
        });
        assertThat(restored.size()).isEqualTo(written.size()).isGreaterThan(70_000);
        assertThat(worst[0]).as("mean distance from the home slot while filling").isLessThan(3.0);
        for (long k = 0; k < 10_000_000; k += 997) {
            assertThat(restored.get(k)).isEqualTo(KeyGroups.keyGroupFor(k, 128) == 5 ? "v" : null);
        }
    }
}
