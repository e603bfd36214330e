package dev.cairn.console.web;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Writes the web server's port to {@code <cairn.data>/web.port}, as the console endpoint writes
 * {@code console.port}: the HTTP runtime announces its endpoints ({@code osgi.http.endpoint}) once
 * it listens, with the port it actually bound when configured with 0.
 */
@Component(service = {})
public final class WebPortFile {

    private static final Logger LOG = Logger.getLogger(WebPortFile.class.getName());
    private final Path file;
    private final ServiceTracker<Object, Object> runtimes;
    /** The runtime's properties change with every servlet it takes on: the file is written when the port does. */
    private int written;

    @Activate
    public WebPortFile(BundleContext context) throws InvalidSyntaxException, IOException {
        String data = context.getProperty("cairn.data");
        Path dir = data != null ? Path.of(data) : context.getDataFile("").toPath();
        this.file = Files.createDirectories(dir).resolve("web.port");
        this.runtimes = new ServiceTracker<>(context, context.createFilter("(osgi.http.endpoint=*)"), null) {
            @Override
            public Object addingService(ServiceReference<Object> reference) {
                write(reference.getProperty("osgi.http.endpoint"));
                return reference;
            }

            @Override
            public void modifiedService(ServiceReference<Object> reference, Object service) {
                write(reference.getProperty("osgi.http.endpoint"));
            }

            @Override
            public void removedService(ServiceReference<Object> reference, Object service) {
                forget();
            }
        };
        runtimes.open(true);
    }

    private synchronized void write(Object endpoints) {
        String first = endpoints instanceof String[] a ? (a.length == 0 ? null : a[0])
                : endpoints instanceof java.util.Collection<?> c ? (c.isEmpty() ? null : String.valueOf(c.iterator().next()))
                : endpoints == null ? null : endpoints.toString();
        if (first == null) {
            return;
        }
        int port = URI.create(first).getPort();
        if (port <= 0 || port == written) {
            return;
        }
        try {
            Path fresh = Files.writeString(file.resolveSibling(file.getFileName() + ".new"), Integer.toString(port));
            Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            this.written = port;
            LOG.info(() -> "Web console and metrics on " + first);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot write " + file, e);
        }
    }

    /** The web server stopped: no client may read a port nothing listens on. */
    private synchronized void forget() {
        written = 0;
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot delete " + file, e);
        }
    }

    @Deactivate
    void deactivate() {
        runtimes.close();
        forget();
    }
}
