package dev.cairn.benchmarks;

import static dev.cairn.benchmarks.SavepointSuite.key;
import static dev.cairn.benchmarks.SavepointSuite.median;
import static dev.cairn.benchmarks.SavepointSuite.ms;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** The savepoint and rescale tables: medians of the forks' medians, with the forks' range, and ratios. */
record SavepointReport(Map<String, List<Double>> forkMedians, DiskBandwidth disk) {

    private record Side(String label, String store, String codec) {
    }

    private static final List<List<Side>> BACKENDS = List.of(
            List.of(new Side("Cairn heap, LZ4", Stores.CAIRN_HEAP, "lz4"), new Side("Cairn heap, plain", Stores.CAIRN_HEAP, "none"),
                    new Side("Flink HashMap", Stores.FLINK_HASHMAP, "none")),
            List.of(new Side("Cairn RocksDB, LZ4", Stores.CAIRN_ROCKSDB, "lz4"), new Side("Cairn RocksDB, plain", Stores.CAIRN_ROCKSDB, "none"),
                    new Side("Flink RocksDB", Stores.FLINK_ROCKSDB, "none")));

    String markdown(String date) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Measured %s on %s, Apache Flink 2.3.0 (savepoints read through a 64 KiB buffer), JMH 1.37; "
                + "%d rounds, each one fork of every configuration in turn; median of the forks' medians, the forks' range in brackets. "
                + "This disk, measured in the run: %.0f MiB/s sequential write (synced), %.0f MiB/s sequential read (O_DIRECT).%n%n",
                date, BenchmarkSuite.machine().replace("6 GiB", "10 GiB"), rounds(), disk.writeMiBs(), disk.readMiBs()));
        md.append("**Canonical savepoints** of value-state keys (`Long` keys, `String` values): write to local disk, restore into the same "
                + "backend at the same parallelism (ms); MiB/s is the savepoint's stored bytes over the time, and its share of the disk's "
                + "sequential bandwidth (restores read files the run just wrote, which the page cache may still hold)\n\n");
        md.append("| backend | keys | savepoint | write ms | write MiB/s | of disk write | restore ms | restore MiB/s | of disk read |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder ratios = new StringBuilder("| backend | keys | write: Flink / Cairn LZ4 | restore: Flink / Cairn LZ4 |\n|---|---|---|---|\n");
        for (int keys : keyCounts("write")) {
            for (List<Side> backend : BACKENDS) {
                for (Side side : backend) {
                    List<Double> write = forkMedians.getOrDefault(key("write", side.store(), side.codec(), keys), List.of());
                    if (write.isEmpty()) {
                        continue;
                    }
                    List<Double> restore = forkMedians.getOrDefault(key("restore", side.store(), side.codec(), keys), List.of());
                    long bytes = SnapshotSizes.SAVEPOINTS.bytes(side.store(), side.codec(), keys);
                    double writeMiBs = mibs(bytes, median(write));
                    double readMiBs = mibs(bytes, median(restore));
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.0f | %.0f %% | %s | %.0f | %.0f %% |%n", side.label(),
                            BenchmarkSuite.format(keys), BenchmarkSuite.bytes(bytes), cell(write), writeMiBs,
                            100 * writeMiBs / disk.writeMiBs(), cell(restore), readMiBs, 100 * readMiBs / disk.readMiBs()));
                }
                Side cairn = backend.get(0);
                Side flink = backend.get(2);
                ratios.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", flink.label().replace("Flink ", ""), BenchmarkSuite.format(keys),
                        ratio("write", flink, cairn, keys), ratio("restore", flink, cairn, keys)));
            }
        }
        md.append('\n').append(ratios).append('\n');
        md.append("**Rescale of a RocksDB job from one subtask to two** in the state layer: the snapshot the old run stops with, "
                + "then the restore of the first new subtask (ms; 1 % of the keys changed since the last checkpoint)\n\n");
        md.append("| keys | stops with | Cairn RocksDB | Flink RocksDB | time / Cairn's |\n|---|---|---|---|---|\n");
        for (int keys : keyCounts("stopAndRestoreRescaled")) {
            List<Double> cairnHandover = forkMedians.getOrDefault(key("stopAndRestoreRescaled", Stores.CAIRN_ROCKSDB, "checkpoint", keys), List.of());
            for (String[] row : new String[][] {{"native incremental checkpoint", Stores.CAIRN_ROCKSDB, "checkpoint"},
                    {"incremental checkpoint (adaptive scheduler)", Stores.FLINK_ROCKSDB, "checkpoint"},
                    {"canonical savepoint (stop-with-savepoint's default)", Stores.FLINK_ROCKSDB, "canonical"},
                    {"native savepoint", Stores.FLINK_ROCKSDB, "native"}}) {
                List<Double> times = forkMedians.getOrDefault(key("stopAndRestoreRescaled", row[1], row[2], keys), List.of());
                if (times.isEmpty()) {
                    continue;
                }
                boolean cairn = row[1].equals(Stores.CAIRN_ROCKSDB);
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f× |%n", BenchmarkSuite.format(keys), row[0], cairn ? cell(times) : "–",
                        cairn ? "–" : cell(times), median(times) / median(cairnHandover)));
            }
        }
        return md.toString();
    }

    private int rounds() {
        return forkMedians.values().stream().mapToInt(List::size).max().orElse(0);
    }

    private TreeSet<Integer> keyCounts(String method) {
        TreeSet<Integer> keys = new TreeSet<>();
        forkMedians.keySet().stream().filter(k -> k.startsWith(method + "|")).forEach(k -> keys.add(Integer.parseInt(k.substring(k.lastIndexOf('|') + 1))));
        return keys;
    }

    private String ratio(String method, Side flink, Side cairn, int keys) {
        double f = median(forkMedians.getOrDefault(key(method, flink.store(), flink.codec(), keys), List.of()));
        double c = median(forkMedians.getOrDefault(key(method, cairn.store(), cairn.codec(), keys), List.of()));
        return String.format(Locale.ROOT, "%.2f×", f / c);
    }

    private static String cell(List<Double> forks) {
        if (forks.isEmpty()) {
            return "–";
        }
        return ms(median(forks)) + " [" + ms(Collections.min(forks)) + "–" + ms(Collections.max(forks)) + "]";
    }

    private static double mibs(long bytes, double millis) {
        return bytes / 1048576.0 / (millis / 1000);
    }
}
