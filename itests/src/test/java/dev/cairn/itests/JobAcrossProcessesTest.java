package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.connector.kafka.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Jobs shared by platform processes through Kafka consumer groups ({@code job.placement=kafka}): a
 * KRaft broker; input spread over a 12-partition topic regardless of keys; a repartition job
 * writing it, keyed, to a second 12-partition topic, and a keyed counting job over that one, both
 * shared by three platform processes on one snapshot root; one process killed with SIGKILL mid-run,
 * its ranges restored by the other two from its last completed checkpoints; one of those halted
 * (SIGSTOP) past the session timeout, its ranges taken over by the last one, and resumed; a fourth
 * process joining and taking ranges over. The output topic, read with read_committed, equals the
 * running counts computed from the input: 0 lost, 0 duplicated.
 */
class JobAcrossProcessesTest {

    private static final int PARTITIONS = 12;
    private static final int RECORDS = 9_000;
    private static final int KEYS = 60;
    private static final Pattern RANGE_ROW = Pattern.compile("(?m)^(counts|rekey)\\.range-(\\d+)\\s+(\\S+)");

    @Test
    void jobsSharedByFourProcessesAreExactlyOnceThroughAKillAndAScaleOut() throws Exception {
        Path shared = Files.createTempDirectory("cairn-shared-root-");
        try (KafkaBroker broker = new KafkaBroker(); PlatformProcess a = PlatformProcess.create(); PlatformProcess b = PlatformProcess.create();
             PlatformProcess c = PlatformProcess.create(); PlatformProcess d = PlatformProcess.create()) {
            broker.createTopic("in", PARTITIONS);
            broker.createTopic("by-key", PARTITIONS);
            broker.createTopic("out", 4);
            // a key's records are in every partition of "in": only the repartition puts each key's count in one range
            List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "k" + (i * 13) % KEYS + "," + i).toList();
            int third = RECORDS / 3;
            broker.produceSpread("in", lines.subList(0, third), PARTITIONS);
            long t0 = System.nanoTime();
            for (PlatformProcess p : List.of(a, b, c)) {
                join(p, broker, shared);
            }
            System.out.printf("three processes started in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            PlatformFixture.await(() -> !running(a).isEmpty() && !running(b).isEmpty() && !running(c).isEmpty()
                    && union(a, b, c).size() == 2 * PARTITIONS, () -> "every range running on one of three processes: " + jobs(a, b, c));
            PlatformFixture.await(() -> broker.readCommitted("out").size() >= third, () -> "output of the first third: " + jobs(a, b, c));
            System.out.printf("first third out at %.1f s%n", (System.nanoTime() - t0) / 1e9);

            broker.produceSpread("in", lines.subList(third, 2 * third), PARTITIONS);
            PlatformFixture.await(() -> broker.readCommitted("out").size() > third, () -> "output of the second third begun");
            Set<String> ofB = running(b);
            long killed = System.nanoTime();
            b.kill();
            PlatformFixture.await(() -> union(a, c).size() == 2 * PARTITIONS,
                    () -> "the killed process's ranges " + ofB + " running again on the others: " + jobs(a, c));
            System.out.printf("ranges %s of the killed process ran again on the others %.1f s after the kill (session timeout 6 s)%n",
                    ofB, (System.nanoTime() - killed) / 1e9);
            PlatformFixture.await(() -> broker.readCommitted("out").size() >= 2 * third, () -> "output of the second third: " + jobs(a, c));
            for (String range : ofB) {
                PlatformProcess owner = running(a).contains(range) ? a : c;
                System.out.printf("%s moved: its state is %s bytes in its first checkpoint on the new owner%n", range,
                        owner.jobValue(range, "checkpoint.state-bytes"));
            }

            System.out.printf("second third out at %.1f s%n", (System.nanoTime() - t0) / 1e9);

            // a process that stalls past the session timeout and then runs on: its ranges move to the other process, which
            // claims their ledgers; once resumed, it records and commits nothing more for them, and joins the groups again
            Set<String> ofC = running(c);
            c.pause();
            long paused = System.nanoTime();
            PlatformFixture.await(() -> running(a).size() == 2 * PARTITIONS,
                    () -> "the stalled process's ranges " + ofC + " running on the other: " + jobsOf(a));
            System.out.printf("ranges of the stalled process ran on the other %.1f s after the stall%n", (System.nanoTime() - paused) / 1e9);
            int stalledPart = 2 * third + third / 2;
            broker.produceSpread("in", lines.subList(2 * third, stalledPart), PARTITIONS);
            PlatformFixture.await(() -> broker.readCommitted("out").size() >= stalledPart, () -> "the output of what came while a process stalled: " + jobsOf(a));
            c.resume();
            // caught up: the ranges the group gives it run there at lag 0, and nothing else runs there (no range of before the stall)
            PlatformFixture.await(() -> rangesCaughtUp(c) && union(a, c).size() == 2 * PARTITIONS && disjoint(running(a), running(c)),
                    () -> "the resumed process running the ranges its group gives it: " + jobs(a, c));
            System.out.printf("the resumed process runs %d ranges again at %.1f s; ranges it found taken over as it resumed: %d%n",
                    running(c).size(), (System.nanoTime() - t0) / 1e9, c.logText().split("another process runs it now", -1).length - 1);

            join(d, broker, shared);
            System.out.printf("fourth started at %.1f s%n", (System.nanoTime() - t0) / 1e9);
            // each job's group deals its 12 partitions out evenly: four to each of the three processes
            PlatformFixture.await(() -> running(d).stream().filter(r -> r.startsWith("counts.")).count() == 4
                            && running(d).size() == 8 && union(a, c, d).size() == 2 * PARTITIONS,
                    () -> "the fourth process running four ranges of each job taken over from the others: " + jobs(a, c, d));
            broker.produceSpread("in", lines.subList(stalledPart, RECORDS), PARTITIONS);
            PlatformFixture.await(() -> broker.readCommitted("out").size() >= RECORDS, () -> "all output: " + jobs(a, c, d));
            System.out.printf("all out at %.1f s; ranges %s, %s, %s%n", (System.nanoTime() - t0) / 1e9, running(a), running(c), running(d));
            assertThat(disjoint(running(a), running(c), running(d))).as("no range runs twice: %s", jobs(a, c, d)).isTrue();
            // cairn:ranges: every range with its owner, the same on each process; the ranges here caught up (lag 0)
            for (PlatformProcess p : List.of(a, c, d)) {
                PlatformFixture.await(() -> rangesCaughtUp(p), () -> "the ranges of counts here at lag 0: " + jobsOf(p, "cairn:ranges counts"));
            }
            assertThat(owners(a)).hasSize(PARTITIONS).isEqualTo(owners(c)).isEqualTo(owners(d));
            assertThat(new TreeSet<>(owners(a).values())).hasSize(3);
            // what the web page and jobs --json show: the shared job with every member's ranges, each range here with its lag
            String json = a.run("cairn:jobs --json");
            assertThat(json).contains("\"name\" : \"counts\"").contains("\"state\" : \"SHARED\"")
                    .contains(owners(a).get(0) + " [").contains("of shared job counts, lag 0");
            // a range is placed by its group, not by commands; the shared job is configured as a whole
            String someRange = running(a).stream().filter(r -> r.startsWith("counts.")).findFirst().orElseThrow();
            PlatformProcess.Answer refused = a.console("cairn:cancel " + someRange);
            assertThat(refused.exit()).isNotZero();
            assertThat(refused.text()).contains("job " + someRange + " is a range of job counts, shared by partition");
            assertThat(a.run("cairn:config counts")).contains("placement.topic").contains("by-key");
            for (PlatformProcess p : List.of(a, c, d)) {
                p.stop(); // each leaves the group: its ranges stop with a checkpoint and commit
            }
            System.out.printf("stopped at %.1f s%n", (System.nanoTime() - t0) / 1e9);
            List<String> out = broker.readCommittedOnceSettled("out");
            List<String> expected = KafkaOnPlatformTest.expected(lines);
            assertThat(out).as(() -> "the output against the running counts; " + difference(out, expected) + "\n" + handovers(a, b, c, d))
                    .hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            try (var files = Files.walk(shared)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /**
     * Starts the process with the Kafka connector and the example jobs, and creates jobs
     * {@code rekey} ({@code in} to {@code by-key}) and {@code counts} ({@code by-key} to {@code out}),
     * each shared by the partitions of its input, on the shared root.
     */
    private static void join(PlatformProcess p, KafkaBroker broker, Path shared) throws Exception {
        for (String jar : List.of("connector-kafka.jar", "examples-kafka.jar")) {
            p.deploy(PlatformFixture.HOME.resolve("plugins").resolve(jar));
        }
        p.start(null);
        PlatformFixture.await(() -> jobsOf(p, "cairn:plugins").contains("kafka-counts"), () -> "the example job's definition");
        create(p, "rekey", "kafka-repartition", "in", "by-key", broker, shared);
        create(p, "counts", "kafka-counts", "by-key", "out", broker, shared);
    }

    private static void create(PlatformProcess p, String job, String definition, String input, String output, KafkaBroker broker,
                               Path shared) throws Exception {
        String created = p.run("cairn:create " + job + " job.definition=" + definition + " job.placement=kafka checkpoint.interval=200ms"
                + " job.restart-delay=100ms job.max-restarts=20 storage.root=" + shared
                + " placement.bootstrap.servers=" + broker.bootstrapServers() + " placement.topic=" + input
                + " placement.session.timeout.ms=6000 placement.heartbeat.interval.ms=1000"
                + " param.bootstrap=" + broker.bootstrapServers() + " param.input=" + input + " param.output=" + output);
        assertThat(created).contains("created job " + job);
    }

    /** The ranges running in {@code p} now ({@code counts.range-3}, …), as {@code cairn:jobs} lists them. */
    private static Set<String> running(PlatformProcess p) {
        Set<String> ranges = new TreeSet<>();
        Matcher m = RANGE_ROW.matcher(jobsOf(p));
        while (m.find()) {
            if (m.group(3).equals("RUNNING")) {
                ranges.add(m.group(1) + ".range-" + m.group(2));
            }
        }
        return ranges;
    }

    private static final Pattern RANGES_ROW = Pattern.compile("(?m)^(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+");

    /** Range → owning member, as {@code cairn:ranges counts} on {@code p} reports the group. */
    private static Map<Integer, String> owners(PlatformProcess p) {
        Map<Integer, String> owners = new java.util.TreeMap<>();
        Matcher m = RANGES_ROW.matcher(jobsOf(p, "cairn:ranges counts"));
        while (m.find()) {
            owners.put(Integer.parseInt(m.group(1)), m.group(2));
        }
        return owners;
    }

    /** Whether {@code cairn:ranges counts} on {@code p} shows every range running here, and only those, at lag 0. */
    private static boolean rangesCaughtUp(PlatformProcess p) {
        String text = jobsOf(p, "cairn:ranges counts");
        Matcher member = Pattern.compile("^this process is (\\S+)").matcher(text);
        if (!member.find()) {
            return false;
        }
        Set<String> here = new TreeSet<>();
        Matcher m = RANGES_ROW.matcher(text);
        while (m.find()) {
            boolean ours = m.group(2).equals(member.group(1));
            if (ours != m.group(3).equals("RUNNING") || (ours && !m.group(5).equals("0"))) {
                return false;
            }
            if (ours) {
                here.add("counts.range-" + m.group(1));
            }
        }
        return !here.isEmpty() && here.equals(running(p).stream().filter(r -> r.startsWith("counts.")).collect(Collectors.toSet()));
    }

    /** What {@code out} has more or less than {@code expected}, each record with how many times it is extra or missing. */
    private static String difference(List<String> out, List<String> expected) {
        Map<String, Integer> balance = new java.util.TreeMap<>();
        out.forEach(r -> balance.merge(r, 1, Integer::sum));
        expected.forEach(r -> balance.merge(r, -1, Integer::sum));
        balance.values().removeIf(n -> n == 0);
        return "extra (+) and missing (-) records: " + balance;
    }

    /** The processes' log lines about ranges moving, failing or finding another writer: what a failure is read against. */
    private static String handovers(PlatformProcess... processes) {
        Pattern telling = Pattern.compile("range \\d+|another process|ledger|restarts in|failed|fenced|lost|[Cc]ommitted before");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < processes.length; i++) {
            b.append("--- process ").append((char) ('a' + i)).append('\n');
            processes[i].logText().lines().filter(l -> telling.matcher(l).find()).forEach(l -> b.append(l).append('\n'));
        }
        return b.toString();
    }

    private static Set<String> union(PlatformProcess... processes) {
        Set<String> all = new TreeSet<>();
        for (PlatformProcess p : processes) {
            all.addAll(running(p));
        }
        return all;
    }

    @SafeVarargs
    private static boolean disjoint(Set<String>... sets) {
        int total = 0;
        Set<String> all = new TreeSet<>();
        for (Set<String> s : sets) {
            total += s.size();
            all.addAll(s);
        }
        return total == all.size();
    }

    private static String jobsOf(PlatformProcess p) {
        return jobsOf(p, "cairn:jobs");
    }

    /** What {@code command} answers, or nothing while the process is down or not answering. */
    private static String jobsOf(PlatformProcess p, String command) {
        try {
            return p.alive() ? p.run(command) : "";
        } catch (Exception | AssertionError e) {
            return "";
        }
    }

    private static String jobs(PlatformProcess... processes) {
        return List.of(processes).stream().map(JobAcrossProcessesTest::jobsOf).collect(Collectors.joining("\n---\n"));
    }

}
