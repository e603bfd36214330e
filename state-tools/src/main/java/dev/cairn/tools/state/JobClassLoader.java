package dev.cairn.tools.state;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tool finds a job's own types (state values, keys stored with Kryo): the job's jar
 * given with {@code --job}, over the tool's class path, or the tool's class path alone.
 */
final class JobClassLoader implements AutoCloseable {

    private final ClassLoader loader;
    private final URLClassLoader opened;
    private final Path jar;

    private JobClassLoader(ClassLoader loader, URLClassLoader opened, Path jar) {
        this.loader = loader;
        this.opened = opened;
        this.jar = jar;
    }

    static JobClassLoader of(String jar) throws ToolException {
        ClassLoader tool = JobClassLoader.class.getClassLoader();
        if (jar == null) {
            return new JobClassLoader(tool, null, null);
        }
        Path path = Path.of(jar).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new ToolException("--job " + jar + ": no such file (give the job's jar, e.g. deploy/<job>.jar)");
        }
        try {
            URLClassLoader job = new URLClassLoader(new URL[]{path.toUri().toURL()}, tool);
            return new JobClassLoader(job, job, path);
        } catch (MalformedURLException e) {
            throw new ToolException("--job " + jar + ": " + e.getMessage());
        }
    }

    /** The job's jar, or {@code null} when none was given. */
    Path jar() {
        return jar;
    }

    ClassLoader loader() {
        return loader;
    }

    @Override
    public void close() throws IOException {
        if (opened != null) {
            opened.close();
        }
    }
}
