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
            "lib-rocksdb-", "serializer-avro-", "slf4j-api-"); // no SLF4J provider: a storage plugin brings its own

    /** The plugins in {@code deploy/} a tool decodes with (found through their service entries): formats and backends. */
    private static final List<String> PLUGINS = List.of("plugin-format-", "plugin-backend-");

    /**
     * Storage plugins, from {@code deploy/} or else {@code plugins/}: each embeds its cloud SDK as
     * jars inside its own (its bundle class path), which a plain class loader cannot read in place,
     * so they are copied out to a temporary directory for the run.
     */
    private static final String STORAGE_PLUGINS = "plugin-storage-";

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
        Path nested = Files.createTempDirectory("cairn-tool-");
        try {
            addStoragePlugins(home, storagesNamed(args), nested, jars);
            return invoke(jars, mainClass, args);
        } finally {
            try (Stream<Path> files = Files.walk(nested)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static int invoke(List<URL> jars, String mainClass, String[] args) throws IOException, ReflectiveOperationException {
        try (URLClassLoader loader = new URLClassLoader(jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            Class<?> tool = loader.loadClass(mainClass);
            // the tool answers bad input itself, as one line and an exit code
            return (int) tool.getMethod("run", String[].class, java.io.PrintStream.class, java.io.PrintStream.class)
                    .invoke(null, args, System.out, System.err);
        }
    }

    /** The object stores the arguments name ({@code s3://…}): only their plugins are unpacked, the rest of the time none. */
    private static java.util.Set<String> storagesNamed(String[] args) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String a : args) {
            int scheme = a.indexOf("://");
            if (scheme > 0) {
                String s = a.substring(0, scheme);
                names.add(s.equals("gs") ? "gcs" : s);
            }
        }
        return names;
    }

    private static void addStoragePlugins(Path home, java.util.Set<String> storages, Path nested, List<URL> jars) throws IOException {
        java.util.Map<String, Path> plugins = new java.util.TreeMap<>();
        for (String dir : List.of("plugins", "deploy")) { // a plugin deployed wins over the one shipped
            Path d = home.resolve(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> files = Files.list(d)) {
                    files.filter(f -> storages.stream().anyMatch(n -> f.getFileName().toString().equals(STORAGE_PLUGINS + n + ".jar")))
                            .forEach(f -> plugins.put(f.getFileName().toString(), f));
                }
            }
        }
        for (Path plugin : plugins.values()) {
            jars.add(url(plugin));
            Path into = nested.resolve(plugin.getFileName().toString());
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(plugin.toFile())) {
                for (java.util.jar.JarEntry e : java.util.Collections.list(jar.entries())) {
                    String name = e.getName();
                    if (name.startsWith("lib/") && name.endsWith(".jar") && name.indexOf('/', 4) < 0) {
                        Path target = into.resolve(name.substring(4));
                        Files.createDirectories(into);
                        try (java.io.InputStream in = jar.getInputStream(e)) {
                            Files.copy(in, target);
                        }
                        jars.add(url(target));
                    }
                }
            }
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
