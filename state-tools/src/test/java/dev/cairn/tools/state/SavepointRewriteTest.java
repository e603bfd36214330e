package dev.cairn.tools.state;

import static dev.cairn.tools.state.ExampleSnapshots.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.examples.offers.OutputCheck;
import dev.cairn.tools.state.ExampleSnapshots.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state convert} and {@code state rewrite} write new savepoints of the example job that the
 * job resumes from exactly once (its whole output compared with the expectation computed from
 * its input), leaving the input byte-identical.
 */
class SavepointRewriteTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private ExampleSnapshots snapshots;

    @BeforeEach
    void snapshots() {
        snapshots = new ExampleSnapshots(dir);
    }

    @Test
    void anotherKeyGroupCountResumesExactlyOnce() throws Exception {
        Path sp = snapshots.savepoint("heap", "canonical");
        Map<String, String> before = snapshots.digests();
        Path rewritten = snapshots.storage().resolve("imported/sp-256");

        Result rewrite = state("rewrite", sp.toString(), rewritten.toString(), "--max-parallelism", "256");
        assertThat(rewrite.exit()).as(rewrite.err()).isZero();
        assertThat(rewrite.out()).startsWith("savepoint written: " + rewritten + ": 4 operator(s), ").contains("max parallelism 256");
        Map<String, String> after = snapshots.digests();
        after.keySet().removeIf(f -> f.startsWith(snapshots.storage().relativize(rewritten).toString()));
        assertThat(after).as("the input is byte-identical").isEqualTo(before);

        JsonNode info = JSON.readTree(state("info", rewritten.toString(), "--json").out());
        assertThat(info.get("max-parallelism").asInt()).isEqualTo(256);
        assertThat(info.get("format").asText()).isEqualTo("canonical");
        assertThat(state("verify", rewritten.toString()).exit()).isZero();
        // every key keeps its state, now in the key group the new count hashes it to
        for (String sku : List.of("sku-0", "sku-17", "sku-123", "sku-299")) {
            JsonNode was = JSON.readTree(state("get", sp.toString(), "enrich", sku, "--json").out());
            JsonNode now = JSON.readTree(state("get", rewritten.toString(), "enrich", sku, "--json").out());
            assertThat(now.get("states")).as(sku).isEqualTo(was.get("states"));
            assertThat(now.get("key-group").asInt()).isEqualTo(dev.cairn.spi.backend.KeyGroups.keyGroupFor(sku, 256));
        }

        OutputCheck.Result output = snapshots.resume("offers-heap-canonical", "rocksdb", rewritten, 256);
        assertThat(output.exactlyOnce()).as(output.toString()).isTrue();
    }

    @Test
    void aNativeRocksDBSavepointConvertedToCanonicalResumesOnHeapExactlyOnce() throws Exception {
        Path sp = snapshots.savepoint("rocksdb", "native");
        Map<String, ExpectedEnrichState.SkuState> expected = ExpectedEnrichState.of(OpenedSnapshot.open(sp.toString()));
        Map<String, String> before = snapshots.digests();
        Path converted = snapshots.storage().resolve("imported/sp-canonical");

        Result convert = state("convert", sp.toString(), converted.toString());
        assertThat(convert.exit()).as(convert.err()).isZero();
        Map<String, String> after = snapshots.digests();
        after.keySet().removeIf(f -> f.startsWith("imported/"));
        assertThat(after).as("the input is byte-identical").isEqualTo(before);
        JsonNode info = JSON.readTree(state("info", converted.toString(), "--json").out());
        assertThat(info.get("format").asText()).isEqualTo("canonical");
        info.get("operators").forEach(op -> op.get("subtasks").forEach(st -> {
            if (op.get("uid").asText().equals("enrich")) {
                assertThat(st.get("layout").asText()).isEqualTo("key-group sections (canonical)");
            }
        }));
        Result nextSeq = state("scan", converted.toString(), "enrich", "--state", "next-seq");
        Map<String, Long> read = new TreeMap<>();
        for (String line : nextSeq.out().lines().toList()) {
            JsonNode n = JSON.readTree(line);
            read.put(n.get("key").asText(), n.get("value").asLong());
        }
        Map<String, Long> want = new TreeMap<>();
        expected.forEach((sku, s) -> {
            if (s.nextSeq() != null) {
                want.put(sku, s.nextSeq());
            }
        });
        assertThat(read).isEqualTo(want);

        OutputCheck.Result output = snapshots.resume("offers-rocksdb-native", "heap", converted, 128);
        assertThat(output.exactlyOnce()).as(output.toString()).isTrue();
    }

    @Test
    void aCanonicalSavepointConvertedIntoRocksDBFilesResumesOnRocksDBExactlyOnce() throws Exception {
        Path sp = snapshots.savepoint("heap", "canonical");
        Map<String, String> before = snapshots.digests();
        Path converted = snapshots.storage().resolve("imported/sp-rocksdb");

        Result convert = state("convert", sp.toString(), converted.toString(), "--format", "native", "--backend", "rocksdb");
        assertThat(convert.exit()).as(convert.err()).isZero();
        Map<String, String> after = snapshots.digests();
        after.keySet().removeIf(f -> f.startsWith("imported/"));
        assertThat(after).as("the input is byte-identical").isEqualTo(before);
        JsonNode info = JSON.readTree(state("info", converted.toString(), "--json").out());
        assertThat(info.get("format").asText()).isEqualTo("native");
        assertThat(info.get("backend").asText()).isEqualTo("rocksdb");
        info.get("operators").forEach(op -> op.get("subtasks").forEach(st -> {
            if (op.get("uid").asText().equals("enrich")) {
                assertThat(st.get("layout").asText()).isEqualTo("rocksdb files");
            }
        }));
        assertThat(state("verify", converted.toString()).exit()).isZero();

        OutputCheck.Result output = snapshots.resume("offers-heap-canonical", "rocksdb", converted, 128);
        assertThat(output.exactlyOnce()).as(output.toString()).isTrue();
    }

    @Test
    void renamesAndDropsOperatorsAndStates() throws Exception {
        Path sp = snapshots.savepoint("heap", "full");
        Map<String, String> input = snapshots.digests();
        Path rewritten = snapshots.storage().resolve("imported/sp-renamed");
        Result rewrite = state("rewrite", sp.toString(), rewritten.toString(), "--rename-operator", "offers=offers-v2",
                "--drop-operator", "product-updates", "--rename-state", "enrich/parked=parked-events", "--drop-state", "enrich/product",
                "--format", "full");
        assertThat(rewrite.exit()).as(rewrite.err()).isZero();
        Map<String, String> inputAfter = snapshots.digests();
        inputAfter.keySet().removeIf(f -> f.startsWith(snapshots.storage().relativize(rewritten).toString()));
        assertThat(inputAfter).as("the input is byte-identical").isEqualTo(input);

        JsonNode info = JSON.readTree(state("info", rewritten.toString(), "--json").out());
        assertThat(info.get("format").asText()).isEqualTo("full");
        Set<String> uids = new TreeSet<>();
        info.get("operators").forEach(op -> uids.add(op.get("uid").asText()));
        assertThat(uids).containsExactly("enrich", "enriched-offers", "offers-v2");
        Set<String> states = new TreeSet<>();
        info.get("operators").forEach(op -> {
            if (op.get("uid").asText().equals("enrich")) {
                op.get("keyed-states").forEach(s -> states.add(s.get("name").asText()));
            }
            if (op.get("uid").asText().equals("offers-v2")) {
                assertThat(op.get("operator-states").get(0).get("name").asText()).isEqualTo("split-positions");
            }
        });
        assertThat(states).contains("parked-events", "next-seq").doesNotContain("parked", "product");

        Path before = dir.resolve("before");
        Path after = dir.resolve("after");
        assertThat(state("export", sp.toString(), "enrich", before.toString(), "--state", "parked").exit()).isZero();
        assertThat(state("export", rewritten.toString(), "enrich", after.toString(), "--state", "parked-events").exit()).isZero();
        assertThat(Files.readAllLines(after.resolve("parked-events.jsonl")).stream().sorted().toList())
                .isEqualTo(Files.readAllLines(before.resolve("parked.jsonl")).stream().sorted().toList()).isNotEmpty();
    }

    @Test
    void badInputIsOneLineAndWritesNothing() throws Exception {
        Path sp = snapshots.savepoint("rocksdb", "native");
        Map<String, String> before = snapshots.digests();
        Path target = dir.resolve("new");
        Map<List<String>, String> cases = Map.of(
                List.of("--rename-operator", "nope=other"), sp + " has no operator 'nope' (operators: enrich, enriched-offers, offers, product-updates)",
                List.of("--rename-operator", "offers=enrich"), "cannot rename an operator to 'enrich': the snapshot has an operator of that name",
                List.of("--drop-state", "enrich/prodcut"), "operator 'enrich' has no keyed state 'prodcut' (states: _timers_event,"
                        + " _timers_processing, next-seq, parked, product)",
                List.of("--rename-state", "enrich-parked"), "--rename-state enrich-parked is not UID/OLD=NEW",
                List.of("--rename-state", "enrich/parked=product"), "two states of operator 'enrich' would be named 'product' in the new"
                        + " savepoint: rename or drop one of them",
                List.of("--rename-operator", "offers=source", "--rename-operator", "product-updates=source"), "two operators would be named"
                        + " 'source' in the new savepoint: rename or drop one of them",
                List.of("--format", "native", "--backend", "nope"), "--backend nope is not on the tool's class path (backends: heap, rocksdb)");
        cases.forEach((options, message) -> {
            List<String> args = new java.util.ArrayList<>(List.of("rewrite", sp.toString(), target.toString()));
            args.addAll(options);
            Result r = state(args.toArray(String[]::new));
            assertThat(r.exit()).as("%s: %s", options, r.err()).isEqualTo(2);
            assertThat(r.err().strip()).as("%s", options).isEqualTo(message);
            assertThat(target).as("nothing written for %s", options).doesNotExist();
        });
        Result one = state("rewrite", sp.toString(), target.toString(), "--max-parallelism", "1");
        assertThat(one.err().strip()).isEqualTo("--max-parallelism 1 is below the parallelism 2 of operator 'enrich': every subtask needs a key group");
        Result insideInput = state("convert", sp.toString(), sp.resolve("inner").toString());
        assertThat(insideInput.exit()).isEqualTo(2);
        assertThat(insideInput.err().strip()).isEqualTo(sp.resolve("inner") + " lies inside the snapshot it is made from ("
                + sp.toRealPath() + "): write it elsewhere");
        Path inJob = sp.resolveSibling("sp-new");
        Result insideJob = state("convert", sp.toString(), inJob.toString());
        assertThat(insideJob.err().strip()).isEqualTo(inJob + " lies inside the directory of job 'offers-rocksdb-native' ("
                + snapshots.storage().resolve("offers-rocksdb-native") + "), where the platform deletes what the job's ledger does not list:"
                + " write the new savepoint elsewhere, e.g. " + snapshots.storage().resolve("imported/sp-new"));
        assertThat(inJob).doesNotExist();
        Files.createDirectories(target);
        Result exists = state("convert", sp.toString(), target.toString());
        assertThat(exists.exit()).isEqualTo(2);
        assertThat(exists.err().strip()).isEqualTo(target + " exists already: a new savepoint goes into a new directory");
        assertThat(snapshots.digests()).isEqualTo(before);
    }
}
