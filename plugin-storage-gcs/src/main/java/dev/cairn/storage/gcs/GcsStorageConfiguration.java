package dev.cairn.storage.gcs;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The platform-wide Google Cloud Storage settings. A job may override the non-secret ones with
 * {@code storage.<name>} properties (typically {@code storage.bucket} and {@code storage.prefix}).
 */
@ObjectClassDefinition(id = GcsStorageProvider.PID, name = "Cairn Google Cloud Storage snapshot storage",
        description = "Snapshots in a Google Cloud Storage bucket (JSON API over HTTP)")
@interface GcsStorageConfiguration {

    @AttributeDefinition(description = "Bucket that holds the snapshots; a job may name its own with storage.bucket")
    String bucket() default "";

    @AttributeDefinition(description = "Object name prefix inside the bucket, e.g. 'cairn/prod'")
    String prefix() default "";

    @AttributeDefinition(description = "Endpoint URL of a GCS-compatible server; empty for Google's")
    String endpoint() default "";

    @AttributeDefinition(name = "Project id", description = "Google Cloud project; empty to take it from the credentials or environment")
    String project$_$id() default "";

    @AttributeDefinition(description = "Where credentials come from", options = {
            @Option(value = "default", label = "Application default credentials (environment, metadata server)"),
            @Option(value = "service-account-file", label = "The service account key file below"),
            @Option(value = "none", label = "No credentials (emulators, tests)")})
    String credentials() default "default";

    @AttributeDefinition(name = "Service account key file", description = "Path of a JSON key file, used with credentials=service-account-file")
    String service$_$account$_$file() default "";

    @AttributeDefinition(name = "Chunk size (MiB)", min = "1", max = "1024",
            description = "Resumable upload chunk; an upload holds one chunk in memory, smaller objects go up in one request")
    int chunk$_$size$_$mb() default 8;

    @AttributeDefinition(name = "Retry budget", min = "1", max = "20",
            description = "Attempts per request (throttling, 5xx, connection resets), with exponential backoff")
    int max$_$attempts() default 5;

    @AttributeDefinition(name = "Connect timeout (s)", min = "1", max = "600")
    int connect$_$timeout$_$s() default 10;

    @AttributeDefinition(name = "Request timeout (s)", min = "1", max = "3600", description = "Read timeout per attempt")
    int request$_$timeout$_$s() default 60;
}
