/**
 * Kafka for Cairn jobs: {@link dev.cairn.connector.kafka.KafkaSource}, whose partition offsets are
 * operator state (restored and rescaled with the job), and {@link dev.cairn.connector.kafka.KafkaSink},
 * exactly once through Kafka transactions driven by the job's checkpoints, or at least once. The
 * Kafka client is embedded in this bundle and not exported: jobs see only these types.
 */
@Export
@Version("1.0.0")
package dev.cairn.connector.kafka;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
