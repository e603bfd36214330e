package dev.cairn.examples.kafka;

import dev.cairn.api.job.JobGraph;
import dev.cairn.api.platform.JobDefinition;
import dev.cairn.connector.kafka.DeliveryGuarantee;
import dev.cairn.connector.kafka.KafkaRecordDeserializer;
import dev.cairn.connector.kafka.KafkaRecordSerializer;
import dev.cairn.connector.kafka.KafkaSink;
import dev.cairn.connector.kafka.KafkaSource;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The shuffle of a job shared by partition, as Kafka Streams does it: reads {@code key,value}
 * lines from {@code param.input} and writes each, exactly once, to {@code param.output} with its
 * key as the Kafka record key, so that every record of a key lands in one partition of the output
 * and a {@code kafka-counts} job shared by that topic's partitions finds each key's state in one
 * range. Parameters: {@code param.bootstrap}, {@code param.input}, {@code param.output} (required).
 */
@Component(property = JobDefinition.NAME_PROPERTY + "=" + KafkaRepartitionDefinition.NAME)
public final class KafkaRepartitionDefinition implements JobDefinition {

    static final String NAME = "kafka-repartition";

    @Override
    public JobGraph build(String jobName, Map<String, String> parameters) {
        String bootstrap = KafkaCountsDefinition.required(parameters, "bootstrap");
        JobGraph.Builder graph = JobGraph.builder(jobName);
        graph.source("read", KafkaSource.builder(KafkaRecordDeserializer.utf8Values()).bootstrapServers(bootstrap)
                        .topics(KafkaCountsDefinition.required(parameters, "input")).build())
                .sinkTo("write", KafkaSink.builder(new ByKey()).bootstrapServers(bootstrap)
                        .topic(KafkaCountsDefinition.required(parameters, "output"))
                        .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalIdPrefix(jobName + "-write").build());
        return graph.build();
    }

    /** A line as the value, its key (the text before the first comma) as the record key. */
    static final class ByKey implements KafkaRecordSerializer<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] value(String line) {
            return line.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] key(String line) {
            return RunningCount.keyOf(line).getBytes(StandardCharsets.UTF_8);
        }
    }
}
