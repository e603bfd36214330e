package dev.cairn.api.platform;

import dev.cairn.api.job.JobGraph;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A kind of job that the platform can run many instances of. Register it as an OSGi service with
 * the property {@value #NAME_PROPERTY}; a job configuration names it in {@code job.definition}
 * and passes it the configuration's {@code param.*} properties (without the prefix).
 *
 * <p>The job's functions are loaded by this service's bundle: updating that bundle stops the
 * job's instances with a savepoint and resumes them on the new revision.
 */
@ConsumerType
public interface JobDefinition {

    /** Service property holding the definition's name. */
    String NAME_PROPERTY = "cairn.job.definition";

    /**
     * Builds the graph of one job instance. No side effects: the platform also builds a graph and
     * throws it away to check a job's parameters when it is created or changed.
     *
     * @param jobName    the instance's name: the graph must carry it (it names the snapshot directory)
     * @param parameters the {@code param.*} properties of the instance, without the prefix
     * @throws IllegalArgumentException naming the parameter ({@code param.x}), its value and what is allowed
     */
    JobGraph build(String jobName, Map<String, String> parameters);
}
