package dev.cairn.examples.platform;

import dev.cairn.api.job.JobGraph;
import dev.cairn.api.platform.JobDefinition;
import dev.cairn.examples.offers.OfferEnrichmentJob;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The offer enrichment job on the platform. Parameters: {@code param.output} (absolute directory
 * for the committed output, required), {@code param.seed}, {@code param.events} (the timeline's
 * length, default one million), {@code param.skus} (default 1,000) and {@code param.rate}
 * (records per second per source subtask, default 1,000 so that the job runs for minutes; 0 for
 * as fast as possible), {@code param.sink-delay-us} (how long the sink waits per record, default 0:
 * a slow sink, which backpressures the job), {@code param.checkpoints-before-end} (how many
 * checkpoints, savepoints included, each source subtask sees complete, from its start, before it ends once its data is
 * read; default 0).
 */
@Component(property = JobDefinition.NAME_PROPERTY + "=" + OfferEnrichmentDefinition.NAME)
public final class OfferEnrichmentDefinition implements JobDefinition {

    static final String NAME = "offer-enrichment";

    @Override
    public JobGraph build(String jobName, Map<String, String> parameters) {
        String output = parameters.get("output");
        if (output == null || !Path.of(output).isAbsolute()) {
            throw new IllegalArgumentException("param.output=" + output + " is not allowed: use an absolute directory path");
        }
        return OfferEnrichmentJob.build(jobName, number(parameters, "seed", 1, Long.MIN_VALUE, Long.MAX_VALUE),
                (int) number(parameters, "events", 1_000_000, 1, Integer.MAX_VALUE),
                (int) number(parameters, "skus", 1_000, 1, Integer.MAX_VALUE), Path.of(output),
                (int) number(parameters, "rate", 1_000, 0, Integer.MAX_VALUE),
                (int) number(parameters, "sink-delay-us", 0, 0, 1_000_000),
                (int) number(parameters, "checkpoints-before-end", 0, 0, 1_000_000));
    }

    static long number(Map<String, String> parameters, String name, long defaultValue, long min, long max) {
        String v = parameters.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("param." + name + "=" + v + " is not allowed: use an integer from " + min + " to " + max);
    }
}
