package dev.cairn.launcher;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Runs console commands in a platform started in this JVM, through Gogo's CommandProcessor. The
 * launcher shares no classes with the bundles, so the two Gogo calls go through reflection;
 * results are JDK types (strings, maps).
 */
public final class InProcessConsole {

    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";

    private final BundleContext context;

    public InProcessConsole(BundleContext context) {
        this.context = context;
    }

    /** Waits until the console and the command {@code scope:function} are registered. */
    public InProcessConsole awaitCommand(String scopedFunction, Duration timeout) throws InterruptedException {
        String[] parts = scopedFunction.split(":");
        String filter = "(&(osgi.command.scope=" + parts[0] + ")(osgi.command.function=" + parts[1] + "))";
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (context.getServiceReference(PROCESSOR) != null && context.getServiceReferences((String) null, filter) != null) {
                    return this;
                }
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalArgumentException(e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The platform offers no " + scopedFunction + " command after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /** Executes one command line and returns its result object (a String, a Map, …). */
    public Object execute(String line) throws Exception {
        ServiceReference<?> ref = context.getServiceReference(PROCESSOR);
        if (ref == null) {
            throw new IllegalStateException("The Gogo command processor is not running");
        }
        Object processor = context.getService(ref);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        try {
            Method create = processor.getClass().getMethod("createSession", java.io.InputStream.class, java.io.OutputStream.class, java.io.OutputStream.class);
            Object session = create.invoke(processor, new ByteArrayInputStream(new byte[0]), out, out);
            try {
                Method execute = session.getClass().getMethod("execute", CharSequence.class);
                execute.setAccessible(true);
                return execute.invoke(session, line);
            } finally {
                Method close = session.getClass().getMethod("close");
                close.setAccessible(true);
                close.invoke(session);
            }
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof Exception ex ? ex : new IllegalStateException(cause);
        } finally {
            context.ungetService(ref);
        }
    }

    /** As {@link #execute}, as text. */
    public String text(String line) throws Exception {
        Object r = execute(line);
        return r == null ? "" : r.toString();
    }
}
