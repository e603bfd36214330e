package dev.cairn.conformance;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * One version of a job's classes, compiled from source into a class loader of its own: two
 * versions of a class with the same name, as a job before and after an upgrade has them.
 */
public final class JobClasses {

    private JobClasses() {
    }

    /** Compiles {@code sources} (class name to source) into {@code dir} and returns a loader over them. */
    public static ClassLoader compile(Path dir, Map<String, String> sources) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("Compiling job classes needs a JDK");
        }
        Path src = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        // the test's class path, so a job's classes may use its libraries (Avro's generated records)
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> args = new ArrayList<>(List.of("--release", "17", "-cp", classPath, "-d", classes.toString()));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        if (javac.run(null, null, null, args.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("Job classes in " + src + " do not compile");
        }
        return new URLClassLoader(new URL[] {classes.toUri().toURL()}, JobClasses.class.getClassLoader());
    }
}
