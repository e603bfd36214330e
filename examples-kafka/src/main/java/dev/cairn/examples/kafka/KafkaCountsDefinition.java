package dev.cairn.examples.kafka;

import dev.cairn.api.job.JobGraph;
import dev.cairn.api.platform.JobDefinition;
import dev.cairn.connector.kafka.DeliveryGuarantee;
import dev.cairn.connector.kafka.KafkaRecordDeserializer;
import dev.cairn.connector.kafka.KafkaRecordSerializer;
import dev.cairn.connector.kafka.KafkaSink;
import dev.cairn.connector.kafka.KafkaSource;
import java.util.Locale;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * Reads {@code key,value} lines from a Kafka topic, counts them per key in keyed state and writes
 * {@code key:count} lines to another topic. Parameters: {@code param.bootstrap} (the brokers,
 * required), {@code param.input} and {@code param.output} (topics, required),
 * {@code param.guarantee} ({@code exactly-once}, the default, or {@code at-least-once}) and
 * {@code param.bounded} ({@code true}: stop at the input's end as the job first sees it).
 */
@Component(property = JobDefinition.NAME_PROPERTY + "=" + KafkaCountsDefinition.NAME)
public final class KafkaCountsDefinition implements JobDefinition {

    static final String NAME = "kafka-counts";

    @Override
    public JobGraph build(String jobName, Map<String, String> parameters) {
        String bootstrap = required(parameters, "bootstrap");
        String input = required(parameters, "input");
        String output = required(parameters, "output");
        DeliveryGuarantee guarantee = switch (parameters.getOrDefault("guarantee", "exactly-once").trim().toLowerCase(Locale.ROOT)) {
            case "exactly-once" -> DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
            default -> throw new IllegalArgumentException("param.guarantee=" + parameters.get("guarantee")
                    + " is not allowed: use exactly-once or at-least-once");
        };
        String bounded = parameters.getOrDefault("bounded", "false").trim();
        if (!bounded.equals("true") && !bounded.equals("false")) {
            throw new IllegalArgumentException("param.bounded=" + bounded + " is not allowed: use true or false");
        }
        KafkaSource.Builder<String> source = KafkaSource.builder(KafkaRecordDeserializer.utf8Values()).bootstrapServers(bootstrap).topics(input);
        JobGraph.Builder graph = JobGraph.builder(jobName);
        graph.source("read", bounded.equals("true") ? source.bounded().build() : source.build())
                .keyBy(RunningCount::keyOf, String.class)
                .process("count", new RunningCount())
                .sinkTo("write", KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(bootstrap).topic(output)
                        .deliveryGuarantee(guarantee).transactionalIdPrefix(jobName + "-write").build());
        return graph.build();
    }

    static String required(Map<String, String> parameters, String name) {
        String v = parameters.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("param." + name + " is missing: it is required");
        }
        return v.trim();
    }
}
