package dev.cairn.tools.state;

import static dev.cairn.tools.state.ExampleSnapshots.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.examples.offers.OfferEnrichmentJob;
import dev.cairn.examples.offers.Timeline;
import dev.cairn.examples.offers.TransactionalFileSink;
import dev.cairn.tools.state.ExampleSnapshots.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code state bootstrap}: a savepoint of the example job's enrichment built from JSON Lines (a
 * product for every SKU), from which the job starts and enriches the offers that came before any
 * product update with the bootstrapped titles, where it would have written "unknown".
 */
class BootstrapTest {

    @TempDir
    Path dir;

    private ExampleSnapshots snapshots;
    private Path jobJar;

    @BeforeEach
    void setUp() throws Exception {
        snapshots = new ExampleSnapshots(dir);
        jobJar = Path.of(OfferEnrichmentJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(jobJar.toString()).as("the example job's jar (the tests run after it was packaged)").endsWith(".jar");
    }

    private Path products() throws Exception {
        Path input = dir.resolve("input");
        Files.createDirectories(input);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < ExampleSnapshots.SKUS; i++) {
            lines.add("{\"key\":\"sku-" + i + "\",\"value\":{\"title\":\"boot-sku-" + i + "\",\"version\":0}}");
        }
        Files.write(input.resolve("product.jsonl"), lines);
        return input;
    }

    private Result bootstrap(Path input, Path target, String... more) {
        List<String> args = new ArrayList<>(List.of("bootstrap", input.toString(), target.toString(), "--job", jobJar.toString(),
                "--definition", "offer-enrichment", "--operator", "enrich", "--name", "offers-boot", "--param", "output=" + dir.resolve("unused")));
        args.addAll(List.of(more));
        return state(args.toArray(String[]::new));
    }

    @ParameterizedTest(name = "resumed on {0}")
    @ValueSource(strings = {"heap", "rocksdb"})
    void theJobStartsFromBootstrappedStateAndSeesIt(String backend) throws Exception {
        Path savepoint = snapshots.storage().resolve("imported/boot");
        Path input = products();
        Map<String, String> inputs = digests(input, jobJar);
        Result boot = bootstrap(input, savepoint);
        assertThat(boot.exit()).as(boot.err()).isZero();
        assertThat(digests(input, jobJar)).as("the input files and the job's jar are byte-identical").isEqualTo(inputs);
        assertThat(boot.out()).startsWith("savepoint written: " + savepoint + ": operator enrich of job offers-boot, max parallelism 128,"
                + " entries per state: product 300 ");

        Result get = state("get", savepoint.toString(), "enrich", "sku-42", "--json");
        JsonNode got = new ObjectMapper().readTree(get.out());
        assertThat(got.get("states").get("product").toString()).isEqualTo("{\"title\":\"boot-sku-42\",\"version\":0}");
        assertThat(got.get("states").get("next-seq").isNull()).isTrue();

        Path output = snapshots.run("offers-boot", backend, savepoint, 128);
        // what the job computes with no state, except that an offer before its SKU's first product update now has a title
        Map<String, Integer> expected = new HashMap<>();
        int changed = 0;
        for (String line : Timeline.of(ExampleSnapshots.SEED, ExampleSnapshots.EVENTS, ExampleSnapshots.SKUS).expectedOutput()) {
            if (line.endsWith(",unknown")) {
                String sku = line.split(",")[1];
                line = line.substring(0, line.length() - "unknown".length()) + "boot-" + sku;
                changed++;
            }
            expected.merge(line, 1, Integer::sum);
        }
        assertThat(changed).as("offers the bootstrapped products enrich").isGreaterThan(100);
        Map<String, Integer> actual = new HashMap<>();
        TransactionalFileSink.readCommitted(output).forEach(line -> actual.merge(line, 1, Integer::sum));
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path input = products();
        Path target = dir.resolve("boot");
        Files.writeString(input.resolve("prodcut.jsonl"), "{\"key\":\"sku-1\",\"value\":{\"title\":\"x\",\"version\":1}}\n");
        Result unknownState = bootstrap(input, target);
        assertThat(unknownState.err().strip()).isEqualTo(input.resolve("prodcut.jsonl") + " names no state operator 'enrich' registers"
                + " (states: product, next-seq, parked)");
        Files.delete(input.resolve("prodcut.jsonl"));

        Files.writeString(input.resolve("next-seq.jsonl"), "{\"key\":\"sku-1\",\"value\":3}\n{\"key\":\"sku-2\",\"value\":\"three\"}\n");
        Result badValue = bootstrap(input, target);
        assertThat(badValue.err().strip()).startsWith(input.resolve("next-seq.jsonl") + ", line 2: ");
        Files.delete(input.resolve("next-seq.jsonl"));

        Result definition = bootstrap(input, target, "--definition", "offers");
        assertThat(definition.err().strip()).isEqualTo("--definition offers: " + jobJar + " declares no such job definition (it declares:"
                + " offer-enrichment)");
        Result operator = bootstrap(input, target, "--operator", "offers");
        assertThat(operator.err().strip()).isEqualTo("job offers-boot has no keyed operator 'offers' (keyed operators: enrich)");
        Result param = bootstrap(input, target, "--param", "output=relative");
        assertThat(param.err().strip()).isEqualTo("job definition offer-enrichment refused its parameters: param.output=relative is not"
                + " allowed: use an absolute directory path");
        for (Result r : List.of(unknownState, badValue, definition, operator, param)) {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err().strip().lines()).hasSize(1);
        }
        assertThat(target).as("nothing left of a failed run").doesNotExist();
    }

    /** SHA-256 of every file under {@code paths} (a directory or a file). */
    private static Map<String, String> digests(Path... paths) throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Path root : paths) {
            try (java.util.stream.Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    out.put(f.toString(), java.util.HexFormat.of().formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
                }
            }
        }
        return out;
    }
}
