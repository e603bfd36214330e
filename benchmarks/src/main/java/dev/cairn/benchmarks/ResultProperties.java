package dev.cairn.benchmarks;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * A properties file beside the results that benchmark forks add to (a fork is another JVM, and
 * forks run one after another): replaced atomically, so a fork that dies leaves the last whole
 * version.
 */
final class ResultProperties {

    private final String fileName;
    private final String comment;

    ResultProperties(String fileName, String comment) {
        this.fileName = fileName;
        this.comment = comment;
    }

    Path file() {
        return Path.of(System.getProperty("cairn.results", "results")).resolve(fileName);
    }

    synchronized void update(Consumer<Properties> change) throws IOException {
        Properties properties = load();
        change.accept(properties);
        Path tmp = file().resolveSibling(fileName + ".tmp");
        Files.createDirectories(tmp.getParent());
        try (Writer w = Files.newBufferedWriter(tmp)) {
            properties.store(w, comment);
        }
        Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    Properties load() throws IOException {
        Properties properties = new Properties();
        if (Files.exists(file())) {
            try (Reader r = Files.newBufferedReader(file())) {
                properties.load(r);
            }
        }
        return properties;
    }
}
