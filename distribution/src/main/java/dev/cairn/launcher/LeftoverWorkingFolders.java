package dev.cairn.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Jobs keep their working folders (their backends' local files, RocksDB instances among them) in
 * {@code data/work}, and delete them when they end. A platform killed with -9 cannot; the next
 * start on the same data folder, holding its {@link DataLock} before the framework runs any job,
 * deletes what is left, so a crash never leaves those files behind for good.
 */
final class LeftoverWorkingFolders {

    /** The kernel's job supervisor puts working folders here too. */
    static final String FOLDER = "work";

    private LeftoverWorkingFolders() {
    }

    /** Empties {@code data/work}; returns how many files and folders were in it. */
    static int deleteUnder(Path data) throws IOException {
        Path folder = data.resolve(FOLDER);
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(folder)) {
            paths = walk.filter(path -> !path.equals(folder)).sorted(Comparator.reverseOrder()).toList(); // children before parents
        }
        for (Path path : paths) {
            Files.delete(path);
        }
        return paths.size();
    }
}
