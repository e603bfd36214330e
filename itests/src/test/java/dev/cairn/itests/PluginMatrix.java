package dev.cairn.itests;

import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The plugin combinations every platform-level scenario runs on; it grows with each plugin. */
final class PluginMatrix {
    private PluginMatrix() {
    }

    static Stream<Arguments> backendsAndStorages() {
        return Stream.of(Arguments.of("heap", "file"), Arguments.of("rocksdb", "file"),
                Arguments.of("heap", "s3"), Arguments.of("rocksdb", "s3"), Arguments.of("heap", "azure"), Arguments.of("rocksdb", "azure"),
                Arguments.of("heap", "gcs"), Arguments.of("rocksdb", "gcs"), Arguments.of("rocksdb", "flatdir"));
    }

    /** The changelog over each backend, on local disk and on an object store. */
    static Stream<Arguments> changelogBackendsAndStorages() {
        return Stream.of(Arguments.of("heap", "file"), Arguments.of("rocksdb", "file"), Arguments.of("heap", "s3"),
                Arguments.of("rocksdb", "s3"));
    }
}
