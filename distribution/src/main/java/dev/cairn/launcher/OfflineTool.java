package dev.cairn.launcher;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs an offline tool ({@code tools/}) on a plain JVM, with the platform's own jars from
 * {@code bundle/} on its class path: the launcher shares no classes with the bundles, so the
 * tool gets a class loader of its own.
 */
final class OfflineTool {

    /** The bundles a tool reads snapshots with: the kernel and its libraries, and RocksDB's library for its native files. */
    private static final List<String> LIBRARIES = List.of("platform-core-", "jackson-", "kryo-", "minlog-", "objenesis-", "reflectasm-",
            "lib-rocksdb-");

    /** The plugins in {@code deploy/} a tool decodes with (found through their service entries): formats and backends. */
    private static final List<String> PLUGINS = List.of("plugin-format-", "plugin-backend-");

    private OfflineTool() {
    }

    static int run(Path home, String mainClass, String[] args) throws IOException, ReflectiveOperationException {
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> tools = Files.list(home.resolve("tools"))) {
            for (Path jar : tools.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                jars.add(url(jar));
            }
        }
        addJars(home.resolve("bundle"), LIBRARIES, jars);
        addJars(home.resolve("deploy"), PLUGINS, jars);
        try (URLClassLoader loader = new URLClassLoader(jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            Class<?> tool = loader.loadClass(mainClass);
            // the tool answers bad input itself, as one line and an exit code
            return (int) tool.getMethod("run", String[].class, java.io.PrintStream.class, java.io.PrintStream.class)
                    .invoke(null, args, System.out, System.err);
        }
    }

    private static void addJars(Path dir, List<String> prefixes, List<URL> jars) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path jar : files.sorted().toList()) {
                String name = jar.getFileName().toString();
                if (name.endsWith(".jar") && prefixes.stream().anyMatch(name::startsWith)) {
                    jars.add(url(jar));
                }
            }
        }
    }

    private static URL url(Path jar) throws MalformedURLException {
        return jar.toUri().toURL();
    }
}
