/** The connector's implementation on the embedded Kafka client; private to the bundle. */
package dev.cairn.connector.kafka.internal;
