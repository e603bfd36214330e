package dev.cairn.tools.state;

import static dev.cairn.tools.state.ExampleSnapshots.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.tools.state.ExampleSnapshots.Result;
import dev.cairn.tools.state.ExpectedEnrichState.SkuState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code state keys}, {@code get}, {@code scan} and {@code export} over real snapshots of the
 * example job, compared with what the job holds computed independently ({@link ExpectedEnrichState}).
 */
class StateQueryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private ExampleSnapshots snapshots;
    private long started;

    @BeforeEach
    void snapshots() {
        snapshots = new ExampleSnapshots(dir);
        started = System.currentTimeMillis();
    }

    @ParameterizedTest(name = "{0} savepoint, {1}")
    @CsvSource({"heap, full", "heap, canonical", "rocksdb, canonical", "rocksdb, native"})
    void everyVerbShowsWhatTheJobHolds(String backend, String format) throws Exception {
        assertShowsWhatTheJobHolds(snapshots.savepoint(backend, format));
    }

    @Test
    void anIncrementalRocksDBCheckpointWithSharedFilesReadsTheSame() throws Exception {
        Path checkpoint = snapshots.incrementalCheckpoint();
        assertThat(OpenedSnapshot.open(checkpoint.toString()).metadata().referencedFiles()).as("files shared with earlier checkpoints")
                .anyMatch(f -> f.startsWith("shared/"));
        assertShowsWhatTheJobHolds(checkpoint);
    }

    private void assertShowsWhatTheJobHolds(Path snapshot) throws Exception {
        Map<String, String> before = snapshots.digests();
        OpenedSnapshot opened = OpenedSnapshot.open(snapshot.toString());
        Map<String, SkuState> expected = ExpectedEnrichState.of(opened);
        assertThat(expected).as("the job read some of its input before the snapshot").isNotEmpty();

        // keys: every SKU the job holds state for, once
        Result keys = state("keys", snapshot.toString(), "enrich");
        assertThat(keys.exit()).as(keys.err()).isZero();
        List<String> listed = keys.out().lines().toList();
        assertThat(listed).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(listed)).isEqualTo(expected.keySet());

        // export: one JSON Lines file per state, equal to the expectation for every SKU
        Path exported = dir.resolve("export-" + snapshot.getFileName());
        Result export = state("export", snapshot.toString(), "enrich", exported.toString());
        assertThat(export.exit()).as(export.err()).isZero();
        assertThat(export.out()).contains("exported 3 state(s) of operator enrich");
        assertSameBySku("next-seq", readNextSeq(exported.resolve("next-seq.jsonl")), expectedNextSeq(expected));
        assertSameBySku("product", readProducts(exported.resolve("product.jsonl")), expectedProducts(expected));
        assertSameBySku("parked", readParked(exported.resolve("parked.jsonl")), expectedParked(expected));

        // scan: the same entries, with their state's name, as many as asked for
        Result scan = state("scan", snapshot.toString(), "enrich", "--state", "next-seq", "--limit", "7");
        assertThat(scan.exit()).as(scan.err()).isZero();
        List<String> lines = scan.out().lines().toList();
        assertThat(lines).hasSize(7);
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            assertThat(n.get("state").asText()).isEqualTo("next-seq");
            assertThat(n.get("value").asLong()).isEqualTo(expected.get(n.get("key").asText()).nextSeq());
        }

        // scan --key: that key's entries only, as many as its states hold
        Map.Entry<String, SkuState> one = expected.entrySet().stream().filter(e -> !e.getValue().parked().isEmpty()).findFirst()
                .orElse(expected.entrySet().iterator().next());
        Result scanKey = state("scan", snapshot.toString(), "enrich", "--key", one.getKey());
        assertThat(scanKey.exit()).as(scanKey.err()).isZero();
        Map<String, Integer> perState = new java.util.TreeMap<>();
        for (String line : scanKey.out().lines().toList()) {
            JsonNode n = JSON.readTree(line);
            assertThat(n.get("key").asText()).isEqualTo(one.getKey());
            perState.merge(n.get("state").asText(), 1, Integer::sum);
            if (n.get("state").asText().equals("next-seq")) {
                assertThat(n.get("value").asLong()).isEqualTo(one.getValue().nextSeq());
            }
        }
        Map<String, Integer> wantedPerState = new java.util.TreeMap<>();
        if (one.getValue().nextSeq() != null) {
            wantedPerState.put("next-seq", 1);
        }
        if (one.getValue().product() != null) {
            wantedPerState.put("product", 1);
        }
        if (!one.getValue().parked().isEmpty()) {
            wantedPerState.put("parked", one.getValue().parked().size());
        }
        assertThat(perState).as("entries of %s by state", one.getKey()).isEqualTo(wantedPerState);

        // get: what each state holds for a key, reading only that key's key group
        int checked = 0;
        for (Map.Entry<String, SkuState> e : expected.entrySet()) {
            if (checked++ % 37 != 0) {
                continue;
            }
            Result get = state("get", snapshot.toString(), "enrich", e.getKey(), "--json");
            assertThat(get.exit()).as(get.err()).isZero();
            JsonNode got = JSON.readTree(get.out());
            SkuState want = e.getValue();
            assertThat(got.get("states").get("next-seq")).isEqualTo(tree(want.nextSeq()));
            assertThat(got.get("states").get("product")).isEqualTo(tree(want.product()));
            ObjectNode parked = JSON.createObjectNode();
            want.parked().forEach((seq, event) -> parked.set(Long.toString(seq), tree(event)));
            assertThat(got.get("states").get("parked")).as("parked events of %s", e.getKey())
                    .isEqualTo(want.parked().isEmpty() ? JSON.nullNode() : parked);
            int keyGroup = KeyGroups.keyGroupFor(e.getKey(), opened.metadata().maxParallelism());
            assertThat(got.get("key-group").asInt()).isEqualTo(keyGroup);
            List<KeyGroupSection> sections = sectionsOf(opened, keyGroup);
            if (!sections.isEmpty()) { // key-group sections: exactly the key's sections are read
                assertThat(got.get("sections-read").asInt()).isEqualTo(sections.size());
                assertThat(got.get("bytes-read").asLong()).isEqualTo(sections.stream().mapToLong(KeyGroupSection::length).sum());
            }
            Result text = state("get", snapshot.toString(), "enrich", e.getKey());
            assertThat(text.out()).startsWith("operator enrich, key " + e.getKey() + ": key group " + keyGroup + " of 128, ")
                    .contains("next-seq  " + (want.nextSeq() == null ? "(none)" : want.nextSeq()));
            if (want.product() != null) {
                assertThat(text.out()).containsPattern("product   \\{\"title\":\"" + want.product().title() + "\",\"version\":"
                        + want.product().version() + "}   TTL, written \\d{4}-");
            }
        }
        assertThat(snapshots.digests()).as("the input is byte-identical").isEqualTo(before);
    }

    /** The JSON a value is written as, read back: numbers typed as a reader of the tool's output sees them. */
    private static JsonNode tree(Object value) {
        try {
            return JSON.readTree(JSON.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    /** Equal maps, or a failure naming the first SKU that differs (not the whole state). */
    private static <V> void assertSameBySku(String state, Map<String, V> actual, Map<String, V> expected) {
        assertThat(actual.keySet()).as("SKUs holding %s", state).isEqualTo(expected.keySet());
        expected.forEach((sku, value) -> assertThat(actual.get(sku)).as("%s of %s", state, sku).isEqualTo(value));
    }

    private static List<KeyGroupSection> sectionsOf(OpenedSnapshot opened, int keyGroup) {
        List<KeyGroupSection> out = new ArrayList<>();
        for (SnapshotMetadata.SubtaskSnapshot st : opened.metadata().operator("enrich").subtasks()) {
            if (st.keyedState() instanceof KeyGroupSectionsHandle h) {
                h.sections().stream().filter(s -> s.keyGroup() == keyGroup).forEach(out::add);
            }
        }
        return out;
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private static Map<String, Long> readNextSeq(Path file) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        for (JsonNode n : lines(file)) {
            assertThat(out.put(n.get("key").asText(), n.get("value").asLong())).as("one value per key").isNull();
            assertThat(n.has("namespace")).as("no window: no namespace").isFalse();
        }
        return out;
    }

    private Map<String, JsonNode> readProducts(Path file) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        for (JsonNode n : lines(file)) {
            assertThat(out.put(n.get("key").asText(), n.get("value"))).as("one product per key").isNull();
            assertThat(n.get("ttl-timestamp").asLong()).as("written while the test ran").isBetween(started, System.currentTimeMillis());
        }
        return out;
    }

    private static Map<String, Map<Long, JsonNode>> readParked(Path file) throws Exception {
        Map<String, Map<Long, JsonNode>> out = new TreeMap<>();
        for (JsonNode n : lines(file)) {
            assertThat(out.computeIfAbsent(n.get("key").asText(), k -> new TreeMap<>()).put(n.get("map-key").asLong(), n.get("value")))
                    .as("one entry per key and map key").isNull();
        }
        return out;
    }

    private static Map<String, Long> expectedNextSeq(Map<String, SkuState> expected) {
        Map<String, Long> out = new TreeMap<>();
        expected.forEach((sku, s) -> {
            if (s.nextSeq() != null) {
                out.put(sku, s.nextSeq());
            }
        });
        return out;
    }

    private static Map<String, JsonNode> expectedProducts(Map<String, SkuState> expected) {
        Map<String, JsonNode> out = new TreeMap<>();
        expected.forEach((sku, s) -> {
            if (s.product() != null) {
                out.put(sku, tree(s.product()));
            }
        });
        return out;
    }

    private static Map<String, Map<Long, JsonNode>> expectedParked(Map<String, SkuState> expected) {
        Map<String, Map<Long, JsonNode>> out = new TreeMap<>();
        expected.forEach((sku, s) -> s.parked().forEach((seq, e) -> out.computeIfAbsent(sku, k -> new TreeMap<>()).put(seq, tree(e))));
        return out;
    }

    @Test
    void badInputNamesWhatIsWrong() throws Exception {
        Path sp = snapshots.savepoint("heap", "canonical");
        Result state = state("get", sp.toString(), "enrich", "sku-1", "--state", "prodcut");
        assertThat(state.exit()).isEqualTo(2);
        assertThat(state.err().strip()).isEqualTo("operator 'enrich' has no keyed state 'prodcut' (states: product, next-seq, parked)");

        Result operator = state("keys", sp.toString(), "enrch");
        assertThat(operator.exit()).isEqualTo(2);
        assertThat(operator.err().strip()).startsWith(sp + " has no operator 'enrch' (operators: ").contains("enrich");

        Result notKeyed = state("scan", sp.toString(), "offers");
        assertThat(notKeyed.exit()).isEqualTo(2);
        assertThat(notKeyed.err().strip()).isEqualTo("operator 'offers' has no keyed state in " + sp + " (operators with keyed state: enrich)");

        Result job = state("get", sp.toString(), "enrich", "sku-1", "--job", dir.resolve("missing.jar").toString());
        assertThat(job.exit()).isEqualTo(2);
        assertThat(job.err().strip()).isEqualTo("--job " + dir.resolve("missing.jar") + ": no such file (give the job's jar, e.g. deploy/<job>.jar)");

        Result args = state("get", sp.toString(), "enrich");
        assertThat(args.exit()).isEqualTo(2);
        assertThat(args.err().strip()).isEqualTo("state get needs <snapshot>, <operator>, <key> (3 arguments), not 2 (cairn state help)");

        Result limit = state("keys", sp.toString(), "enrich", "--limit", "0");
        assertThat(limit.exit()).isEqualTo(2);
        assertThat(limit.err().strip()).isEqualTo("state keys: --limit 0 is not a positive whole number");

        Result csv = state("export", sp.toString(), "enrich", dir.resolve("csv").toString(), "--csv");
        assertThat(csv.exit()).isEqualTo(2);
        assertThat(csv.err().strip()).isEqualTo("state 'product' of operator 'enrich' holds Kryo(dev.cairn.examples.offers.Product),"
                + " which is not one CSV field: export it as JSON Lines (without --csv)");

        Result inside = state("export", sp.toString(), "enrich", sp.resolve("out").toString());
        assertThat(inside.exit()).isEqualTo(2);
        assertThat(inside.err()).contains("lies inside the snapshot's storage");
        for (Result r : List.of(state, operator, notKeyed, job, args, limit, csv, inside)) {
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void csvExportOfAFlatState() throws Exception {
        Path sp = snapshots.savepoint("heap", "canonical");
        Map<String, SkuState> expected = ExpectedEnrichState.of(OpenedSnapshot.open(sp.toString()));
        Result csv = state("export", sp.toString(), "enrich", dir.resolve("csv").toString(), "--csv", "--state", "next-seq");
        assertThat(csv.exit()).as(csv.err()).isZero();
        List<String> rows = Files.readAllLines(dir.resolve("csv/next-seq.csv"));
        assertThat(rows.get(0)).isEqualTo("key,value");
        Map<String, Long> read = new TreeMap<>();
        for (String row : rows.subList(1, rows.size())) {
            read.put(row.substring(0, row.indexOf(',')), Long.parseLong(row.substring(row.indexOf(',') + 1)));
        }
        assertThat(read).isEqualTo(expectedNextSeq(expected));
        assertThat(Set.copyOf(rows.subList(1, rows.size()))).hasSize(rows.size() - 1);
    }
}
