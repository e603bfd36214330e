package dev.cairn.core.embedded;

import dev.cairn.api.job.JobClient;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import java.io.IOException;

/**
 * Starts jobs in this JVM, without the OSGi platform: plugins and job classes come from a class
 * loader. Not an exported package: inside the platform, jobs are configured, not started in code.
 */
public final class EmbeddedCairn {
    private EmbeddedCairn() {
    }

    /** Starts {@code graph} with plugins and job classes from the context class loader. */
    public static JobClient start(JobGraph graph, JobConfig config) throws IOException {
        return start(graph, config, Thread.currentThread().getContextClassLoader());
    }

    public static JobClient start(JobGraph graph, JobConfig config, ClassLoader classLoader) throws IOException {
        return new JobMaster(graph, config, new ServiceLoaderPluginRegistry(classLoader), classLoader,
                FailureInjector.NONE, System::currentTimeMillis).start();
    }
}
