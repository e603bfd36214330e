package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * The changelog comparison: Cairn's changelog over its RocksDB backend, Flink 2.3's changelog
 * backend over its RocksDB backend (DSTL on local disk), and both plain RocksDB backends, at 1M
 * and 10M keys. Each round runs one fork ({@link ChangelogRun}) of every store in turn, Cairn
 * and Flink interleaved, on a class path holding only its own side's RocksDB backend. Writes
 * {@code changelog.jsonl} (one line per fork), {@code changelog.md} and {@code changelog.png}.
 */
final class ChangelogSuite {

    static final String JSON = "changelog.jsonl";
    static final List<String> STORES = List.of("cairn-changelog", "flink-changelog", "cairn-rocksdb", "flink-rocksdb");
    private static final int[] KEYS = {1_000_000, 10_000_000};
    private static final int STEADY_SECONDS = 20;
    private static final int FULL_SPEED_SECONDS = 8;

    private ChangelogSuite() {
    }

    static String run(boolean quick, Path out) throws Exception {
        Path results = out.resolve(JSON);
        Files.deleteIfExists(results);
        int rounds = quick ? 1 : 3;
        for (int keys : quick ? new int[] {100_000} : KEYS) {
            for (int round = 0; round < rounds; round++) {
                for (String store : STORES) {
                    fork(store, keys, results, quick);
                }
            }
        }
        return report(out);
    }

    private static void fork(String store, int keys, Path results, boolean quick) throws Exception {
        String classPath = store.startsWith("cairn") ? BenchmarkSuite.cairnRocksDbClassPath() : BenchmarkSuite.flinkRocksDbClassPath();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms3g", "-Xmx3g",
                "-cp", classPath, ChangelogRun.class.getName(), store, Integer.toString(keys), results.toAbsolutePath().toString(),
                Integer.toString(quick ? 5 : STEADY_SECONDS), Integer.toString(quick ? 2 : FULL_SPEED_SECONDS), "3");
        System.out.println("# " + store + ", " + keys + " keys");
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.appendTo(results.resolveSibling("changelog-forks.log").toFile())).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("The fork of " + store + " at " + keys + " keys failed (exit " + p.exitValue()
                    + "): see " + results.resolveSibling("changelog-forks.log"));
        }
    }

    /** One fork's figures. */
    private record Fork(String store, int keys, double p50, double p99, double bytesAdded, double bytesReferenced, double updatesPerSecond,
                        double restoreMs, long restoredLogBytes, double load) {

        static Fork of(JsonNode n) {
            List<Double> durations = new ArrayList<>();
            n.path("durationMs").forEach(d -> durations.add(d.asDouble()));
            durations.sort(null);
            List<Double> restores = new ArrayList<>();
            n.path("restoreMs").forEach(d -> restores.add(d.asDouble()));
            return new Fork(n.path("store").asText(), n.path("keys").asInt(), percentile(durations, 0.50), percentile(durations, 0.99),
                    mean(n.path("bytesAdded")), mean(n.path("bytesReferenced")), n.path("updatesPerSecond").asDouble(),
                    SavepointSuite.median(restores), n.path("restoredLogBytes").asLong(), n.path("load").asDouble());
        }
    }

    static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static double mean(JsonNode values) {
        double sum = 0;
        for (JsonNode v : values) {
            sum += v.asDouble();
        }
        return values.size() == 0 ? 0 : sum / values.size();
    }

    static String report(Path out) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<Fork>> forks = new LinkedHashMap<>(); // store|keys
        double minLoad = Double.MAX_VALUE;
        double maxLoad = 0;
        for (String line : Files.readAllLines(out.resolve(JSON))) {
            Fork f = Fork.of(json.readTree(line));
            forks.computeIfAbsent(f.store() + "|" + f.keys(), k -> new ArrayList<>()).add(f);
            minLoad = Math.min(minLoad, f.load());
            maxLoad = Math.max(maxLoad, f.load());
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Measured %s on %d cores, Java %s, `-Xmx3g` per fork, Apache Flink 2.3.0; %d forks of every"
                        + " row, Cairn and Flink interleaved; medians of the forks, their range in brackets. Load average as each fork"
                        + " began: %.1f–%.1f.%n%n", LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                forks.values().stream().mapToInt(List::size).max().orElse(0), minLoad, maxLoad));
        md.append(String.format(Locale.ROOT, "**Changelog**: one subtask's `ValueState<String>` (Long keys, about 20-byte values) on"
                + " RocksDB, %,d random updates per second, a checkpoint every %d ms (one at a time) to local disk; both changelogs"
                + " materialise every %d s (Cairn's also once its log holds half its last materialisation's size, its default); p50/p99 over the checkpoints of %d s per fork; bytes per checkpoint = what a checkpoint"
                + " references that the one before did not (materialisations included); space = what a checkpoint references, mean"
                + " over the measured checkpoints; restore = a checkpoint whose log holds five seconds of changes since a materialisation,"
                + " into a new backend, log replay included (median of 3 per fork; the log's bytes in the last column); throughput"
                + " unthrottled, checkpoints still running.%n%n",
                ChangelogRun.RATE, ChangelogRun.INTERVAL.toMillis(), ChangelogRun.MATERIALIZATION.toSeconds(), STEADY_SECONDS));
        md.append("| keys | store | checkpoint p50 | checkpoint p99 | bytes per checkpoint | space | space vs plain | updates/s | vs plain "
                + "| restore | log replayed |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int keys : forks.keySet().stream().map(k -> Integer.parseInt(k.split("\\|")[1])).distinct().sorted().toList()) {
            for (String store : STORES) {
                List<Fork> row = forks.get(store + "|" + keys);
                if (row == null) {
                    continue;
                }
                List<Fork> plain = forks.getOrDefault(store.substring(0, store.indexOf('-')) + "-rocksdb|" + keys, row);
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.2f× | %s | %.2f× | %s | %s |%n",
                        keys >= 1_000_000 ? keys / 1_000_000 + "M" : keys / 1000 + "k", store,
                        range(row, Fork::p50, "%.0f ms"), range(row, Fork::p99, "%.0f ms"),
                        BenchmarkSuite.bytes((long) med(row, Fork::bytesAdded)), BenchmarkSuite.bytes((long) med(row, Fork::bytesReferenced)),
                        med(row, Fork::bytesReferenced) / med(plain, Fork::bytesReferenced),
                        range(row, f -> f.updatesPerSecond() / 1000, "%.0fk"),
                        med(row, Fork::updatesPerSecond) / med(plain, Fork::updatesPerSecond),
                        range(row, Fork::restoreMs, "%.0f ms"), BenchmarkSuite.bytes((long) med(row, f -> (double) f.restoredLogBytes()))));
            }
        }
        chart(forks, out.resolve("changelog.png"));
        return md.toString();
    }

    private static double med(List<Fork> forks, Function<Fork, Double> metric) {
        return SavepointSuite.median(forks.stream().map(metric).toList());
    }

    private static String range(List<Fork> forks, Function<Fork, Double> metric, String format) {
        List<Double> v = forks.stream().map(metric).sorted().toList();
        return String.format(Locale.ROOT, format + " [" + format + "–" + format + "]", SavepointSuite.median(v), v.get(0), v.get(v.size() - 1));
    }

    /** Checkpoint p99 (bar) and p50 (tick) per store, grouped by state size, on a log scale. */
    private static void chart(Map<String, List<Fork>> forks, Path file) throws Exception {
        List<Integer> sizes = forks.keySet().stream().map(k -> Integer.parseInt(k.split("\\|")[1])).distinct().sorted().toList();
        Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x9ecae1), new Color(0xfdd0a2)};
        int left = 70;
        int top = 50;
        int plotH = 300;
        int bar = 34;
        int groupW = STORES.size() * bar + 60;
        int width = left + sizes.size() * groupW + 200;
        BufferedImage img = new BufferedImage(width, top + plotH + 60, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Checkpoint duration against state size (bar: p99, tick: p50; ms, log scale)", 10, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        double min = 1;
        double max = 100_000;
        Function<Double, Integer> y = ms -> top + plotH - (int) Math.round(plotH * (Math.log10(Math.max(min, ms)) - Math.log10(min))
                / (Math.log10(max) - Math.log10(min)));
        for (double tick = min; tick <= max; tick *= 10) {
            g.setColor(new Color(0xdddddd));
            g.drawLine(left, y.apply(tick), left + sizes.size() * groupW, y.apply(tick));
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%,.0f", tick), 10, y.apply(tick) + 4);
        }
        g.setColor(Color.RED);
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
        g.drawLine(left, y.apply(200.0), left + sizes.size() * groupW, y.apply(200.0));
        g.drawString("200 ms target", left + sizes.size() * groupW + 5, y.apply(200.0) + 4);
        g.setStroke(new BasicStroke(2));
        for (int s = 0; s < sizes.size(); s++) {
            int x0 = left + s * groupW + 30;
            for (int i = 0; i < STORES.size(); i++) {
                List<Fork> row = forks.get(STORES.get(i) + "|" + sizes.get(s));
                if (row == null) {
                    continue;
                }
                int x = x0 + i * bar;
                int p99 = y.apply(med(row, Fork::p99));
                g.setColor(colors[i]);
                g.fillRect(x, p99, bar - 6, top + plotH - p99);
                g.setColor(Color.BLACK);
                int p50 = y.apply(med(row, Fork::p50));
                g.drawLine(x - 2, p50, x + bar - 4, p50);
            }
            g.drawString(String.format(Locale.ROOT, "%,d keys", sizes.get(s)), x0 + 20, top + plotH + 20);
        }
        for (int i = 0; i < STORES.size(); i++) {
            int ly = top + 20 + i * 20;
            g.setColor(colors[i]);
            g.fillRect(left + sizes.size() * groupW + 10, ly - 10, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(STORES.get(i), left + sizes.size() * groupW + 28, ly);
        }
        g.dispose();
        ImageIO.write(img, "png", new File(file.toString()));
    }
}
