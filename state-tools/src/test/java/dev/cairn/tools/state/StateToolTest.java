package dev.cairn.tools.state;

import static dev.cairn.tools.state.ExampleSnapshots.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.tools.state.ExampleSnapshots.Result;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code state info} and {@code state verify} over real snapshots of the example job, heap and RocksDB. */
class StateToolTest {

    @TempDir
    Path dir;

    private ExampleSnapshots snapshots;

    @BeforeEach
    void snapshots() {
        snapshots = new ExampleSnapshots(dir);
    }

    private Path storage() {
        return snapshots.storage();
    }

    private Path savepoint(String backend) throws Exception {
        return snapshots.savepoint(backend, "full");
    }

    private Path incrementalCheckpoint() throws Exception {
        return snapshots.incrementalCheckpoint();
    }

    private Map<String, String> digests() throws Exception {
        return snapshots.digests();
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"heap, full", "heap, canonical", "rocksdb, full", "rocksdb, canonical", "rocksdb, native"})
    void infoNamesEveryOperatorAndStateAndVerifyFindsItIntact(String backend, String format) throws Exception {
        Path sp = snapshots.savepoint(backend, format);
        Map<String, String> before = digests();

        Result text = state("info", sp.toString());
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("offers-" + backend, "savepoint 'sp'", "backend " + backend,
                "operator enrich, parallelism 2, keys String", "operator offers", "operator product-updates", "operator enriched-offers",
                "product", "next-seq", "parked", "split-positions");

        Result json = state("info", sp.toString(), "--json");
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.get("backend").asText()).isEqualTo(backend);
        assertThat(root.get("format").asText()).isEqualTo(format);
        assertThat(root.get("kind").asText()).isEqualTo("savepoint");
        Set<String> uids = new HashSet<>();
        root.get("operators").forEach(op -> uids.add(op.get("uid").asText()));
        assertThat(uids).containsExactlyInAnyOrder("offers", "product-updates", "enrich", "enriched-offers");
        JsonNode enrich = StreamSupport.stream(root.get("operators").spliterator(), false)
                .filter(op -> op.get("uid").asText().equals("enrich")).findFirst().orElseThrow();
        assertThat(enrich.get("key-serializer").asText()).as("keyed by the SKU, a String").isEqualTo("String");
        root.get("operators").forEach(op -> {
            if (!op.get("uid").asText().equals("enrich")) {
                assertThat(op.has("key-serializer")).as("%s has no keys", op.get("uid")).isFalse();
            }
        });
        Map<String, JsonNode> states = new TreeMap<>();
        enrich.get("keyed-states").forEach(s -> states.put(s.get("name").asText(), s));
        assertThat(states).containsKeys("product", "next-seq", "parked");
        assertThat(states.get("product").get("ttl").asBoolean()).isTrue();
        assertThat(states.get("next-seq").get("ttl").asBoolean()).isFalse();
        assertThat(states.get("parked").get("kind").asText()).isEqualTo("map");
        assertThat(states.get("next-seq").get("value-serializer").asText()).isEqualTo("Long");
        // the two subtasks split the key groups between them, without a gap
        List<String> ranges = StreamSupport.stream(enrich.get("subtasks").spliterator(), false).map(s -> s.get("key-groups").asText()).toList();
        assertThat(ranges).containsExactly("0-63", "64-127");

        Result verify = state("verify", sp.toString());
        assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).startsWith("intact: ");
        assertThat(digests()).isEqualTo(before);
    }

    @Test
    void verifyNamesAFlippedByteAndATruncatedFile() throws Exception {
        Path sp = savepoint("heap");
        Path keyed = sp.resolve("enrich/0/keyed-full.bin");
        Path operatorState;
        try (Stream<Path> files = Files.walk(sp.resolve("offers"))) {
            operatorState = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        flipByteInTheMiddle(keyed);
        try (RandomAccessFile raf = new RandomAccessFile(operatorState.toFile(), "rw")) {
            raf.setLength(raf.length() - 1);
        }
        Map<String, String> before = digests();

        Result verify = state("verify", sp.toString());
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.out()).contains("DAMAGED " + keyed + ": damaged, CRC32C ")
                .containsPattern("DAMAGED " + java.util.regex.Pattern.quote(keyed.toString()) + ": key group \\d+ \\(bytes \\d+\\.\\.\\d+\\) has CRC32C [0-9a-f]{8} where the metadata records [0-9a-f]{8}")
                .contains("DAMAGED " + operatorState + ": truncated, ")
                .contains("damaged: ");
        assertThat(digests()).isEqualTo(before);
    }

    @Test
    void verifyNamesAMissingSharedFileOfAnIncrementalCheckpoint() throws Exception {
        Path chk = incrementalCheckpoint();
        Result intact = state("verify", chk.toString());
        assertThat(intact.exit()).as(intact.out() + intact.err()).isZero();

        Result info = state("info", chk.toString(), "--json");
        JsonNode root = new ObjectMapper().readTree(info.out());
        assertThat(root.get("kind").asText()).isEqualTo("checkpoint");
        Path shared;
        // the newest checkpoint references the shared file only if the backend still holds it: take one it references
        String metadata = Files.readString(chk.resolve("_metadata"));
        try (Stream<Path> files = Files.walk(storage().resolve("offers-inc/shared"))) {
            shared = files.filter(Files::isRegularFile)
                    .filter(f -> metadata.contains(storage().resolve("offers-inc").relativize(f).toString()))
                    .findFirst().orElseThrow(() -> new AssertionError("the checkpoint references no shared file"));
        }
        Files.delete(shared);

        Result verify = state("verify", chk.toString());
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.out()).contains("DAMAGED " + shared + ": missing (");
    }

    @Test
    void anUnalignedCheckpointShowsItsRecordsInFlightVerifiesThemAndIsNotConvertedWithoutThem() throws Exception {
        Path chk = snapshots.unalignedCheckpoint();
        JsonNode info = new ObjectMapper().readTree(state("info", chk.toString(), "--json").out());
        long inFlight = 0;
        for (JsonNode op : info.get("operators")) {
            for (JsonNode st : op.get("subtasks")) {
                inFlight += st.path("records-in-flight").asLong(0);
            }
        }
        assertThat(inFlight).as("records in flight shown by info").isPositive();
        Result intact = state("verify", chk.toString());
        assertThat(intact.exit()).as(intact.out() + intact.err()).isZero();

        Result convert = state("convert", chk.toString(), dir.resolve("converted").toString());
        assertThat(convert.exit()).isNotZero();
        assertThat(convert.err()).contains("unaligned checkpoint holding").contains("convert would lose them");
        assertThat(dir.resolve("converted")).doesNotExist();

        Path records;
        try (Stream<Path> files = Files.walk(chk)) {
            records = files.filter(f -> f.getFileName().toString().equals("in-flight.bin")).findFirst().orElseThrow();
        }
        flipByteInTheMiddle(records);
        Result verify = state("verify", chk.toString());
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.out()).contains("DAMAGED " + records + ": damaged, CRC32C ");
    }

    @Test
    void badInputIsOneLineAndAnExitCode() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        Result notASnapshot = state("info", dir.resolve("empty").toString());
        assertThat(notASnapshot.exit()).isEqualTo(2);
        assertThat(notASnapshot.err().strip()).isEqualTo(dir.resolve("empty") + " is not a snapshot: it holds no _metadata file"
                + " (give a job's chk-<n> directory or a savepoint's directory)");

        Result missing = state("verify", dir.resolve("nowhere").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().strip()).isEqualTo(dir.resolve("nowhere") + " is not a snapshot: no such directory");

        Files.writeString(dir.resolve("notes.txt"), "hello");
        Result aFile = state("info", dir.resolve("notes.txt").toString());
        assertThat(aFile.exit()).isEqualTo(2);
        assertThat(aFile.err().strip()).isEqualTo(dir.resolve("notes.txt") + " is not a snapshot: a file, not a snapshot's directory or its _metadata file");

        Files.writeString(dir.resolve("empty/_metadata"), "{ not json");
        Result garbage = state("info", dir.resolve("empty").toString());
        assertThat(garbage.exit()).isEqualTo(2);
        assertThat(garbage.err()).startsWith(dir.resolve("empty") + " is not a readable snapshot: ").doesNotContain("\tat ");
        assertThat(garbage.err().strip().lines()).hasSize(1);

        Result verb = state("explode", dir.toString());
        assertThat(verb.exit()).isEqualTo(2);
        assertThat(verb.err().strip()).isEqualTo("state explode is not a verb: use info, verify, keys, get, scan, export, convert, rewrite or bootstrap (cairn state help)");

        Result option = state("info", dir.toString(), "--yaml");
        assertThat(option.exit()).isEqualTo(2);
        assertThat(option.err().strip()).isEqualTo("state info: unknown option --yaml (cairn state help)");
    }

    static void flipByteInTheMiddle(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long at = raf.length() / 2;
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x10);
        }
    }
}
