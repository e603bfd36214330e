package dev.cairn.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Jobs keep their working folders (their backends' local files, RocksDB instances among them) in
 * {@code data/work}, and delete them when they end. A platform killed with -9 cannot; {@code
 * bin/cairn run} on the same data folder, holding its {@link DataLock} before the framework runs
 * any job, deletes what is left, so a crash never leaves those files behind for good. (A platform
 * embedded through {@link Platform#start} does not: its owner decides about its data folder.)
 */
final class LeftoverWorkingFolders {

    /** The kernel's job supervisor puts working folders here too. */
    static final String FOLDER = "work";

    /** What a clean-up did. */
    record Deleted(int deleted, int failed, String firstFailure) {
    }

    private LeftoverWorkingFolders() {
    }

    /**
     * Empties {@code data/work} (through a symbolic link too), as far as it can: a file that cannot be
     * deleted is counted and left, and the platform starts all the same.
     */
    static Deleted deleteUnder(Path data) throws IOException {
        Path link = data.resolve(FOLDER);
        if (!Files.isDirectory(link)) {
            return new Deleted(0, 0, null);
        }
        Path folder = link.toRealPath();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(folder)) {
            paths = walk.filter(path -> !path.equals(folder)).sorted(Comparator.reverseOrder()).toList(); // children before parents
        }
        int deleted = 0;
        int failed = 0;
        String firstFailure = null;
        for (Path path : paths) {
            try {
                Files.delete(path);
                deleted++;
            } catch (IOException e) {
                failed++;
                firstFailure = firstFailure == null ? path + ": " + e : firstFailure;
            }
        }
        return new Deleted(deleted, failed, firstFailure);
    }
}
