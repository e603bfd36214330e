package dev.cairn.tools.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.examples.offers.Product;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API over a real savepoint of the example job: states as streams, and a rewritten savepoint read back. */
class StateSnapshotTest {

    @TempDir
    Path dir;

    /** A key read twice is a defect, not something to merge away. */
    private static Product once(Product a, Product b) {
        throw new AssertionError("a value state read twice for one key: " + a + ", " + b);
    }

    @Test
    void readsStatesAsStreamsAndWritesANewSavepoint() throws Exception {
        ExampleSnapshots snapshots = new ExampleSnapshots(dir);
        Path sp = snapshots.savepoint("rocksdb", "native");
        Map<String, ExpectedEnrichState.SkuState> expected = ExpectedEnrichState.of(OpenedSnapshot.open(sp.toString()));
        ClassLoader job = getClass().getClassLoader();

        StateSnapshot snapshot = StateSnapshot.open(sp, job);
        assertThat(snapshot.jobName()).isEqualTo("offers-rocksdb-native");
        assertThat(snapshot.operators()).containsExactlyInAnyOrder("offers", "product-updates", "enrich", "enriched-offers");
        assertThat(snapshot.keyedStates("enrich")).containsExactlyInAnyOrder("product", "next-seq", "parked");
        Map<String, Product> want = new TreeMap<>();
        expected.forEach((sku, s) -> {
            if (s.product() != null) {
                want.put(sku, s.product());
            }
        });
        try (Stream<StateEntry> products = snapshot.entries("enrich", "product")) {
            Map<String, Product> read = products.peek(e -> assertThat(e.ttlTimestamp()).isNotNull())
                    .collect(Collectors.toMap(e -> (String) e.key(), e -> (Product) e.value(), StateSnapshotTest::once, TreeMap::new));
            assertThat(read).isEqualTo(want);
        }

        Path rewritten = snapshot.rewrite(snapshots.storage().resolve("imported/api"),
                SavepointChanges.none().withMaxParallelism(64).renameState("enrich", "product", "products"));
        try (Stream<StateEntry> products = StateSnapshot.open(rewritten, job).entries("enrich", "products")) {
            Map<String, Product> read = products.collect(Collectors.toMap(e -> (String) e.key(), e -> (Product) e.value(),
                    StateSnapshotTest::once, TreeMap::new));
            assertThat(read).isEqualTo(want);
        }
        assertThatThrownBy(() -> snapshot.entries("enrich", "prodcut")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("operator 'enrich' has no keyed state 'prodcut' (states: product, next-seq, parked)");
        assertThatThrownBy(() -> StateSnapshot.open(dir.resolve("nowhere"), job)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(dir.resolve("nowhere") + " is not a snapshot: no such directory");
    }
}
