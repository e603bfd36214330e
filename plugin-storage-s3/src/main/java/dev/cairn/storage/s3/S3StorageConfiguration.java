package dev.cairn.storage.s3;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The platform-wide S3 settings. A job may override the non-secret ones with
 * {@code storage.<name>} properties (typically {@code storage.bucket} and {@code storage.prefix}).
 */
@ObjectClassDefinition(id = S3StorageProvider.PID, name = "Cairn S3 snapshot storage",
        description = "Snapshots on Amazon S3 or an S3-compatible object store")
@interface S3StorageConfiguration {

    @AttributeDefinition(description = "Bucket that holds the snapshots; a job may name its own with storage.bucket")
    String bucket() default "";

    @AttributeDefinition(description = "Key prefix inside the bucket, e.g. 'cairn/prod'")
    String prefix() default "";

    @AttributeDefinition(description = "Endpoint URL of an S3-compatible store; empty for AWS")
    String endpoint() default "";

    @AttributeDefinition(description = "AWS region")
    String region() default "us-east-1";

    @AttributeDefinition(name = "Path-style access", description = "Address buckets as <endpoint>/<bucket> (most S3-compatible stores need it)")
    boolean path$_$style() default false;

    @AttributeDefinition(description = "Where credentials come from", options = {
            @Option(value = "default", label = "The SDK's default chain (environment, profile, instance role)"),
            @Option(value = "static", label = "access-key and secret-key below"),
            @Option(value = "anonymous", label = "No credentials (public buckets, tests)")})
    String credentials() default "default";

    @AttributeDefinition(name = "Access key id", description = "Used with credentials=static")
    String access$_$key() default "";

    @AttributeDefinition(name = "Secret access key", type = AttributeType.PASSWORD, description = "Used with credentials=static; never shown")
    String secret$_$key() default "";

    @AttributeDefinition(name = "Part size (MiB)", min = "5", max = "5120",
            description = "Multipart part size; an upload holds at most (upload-concurrency + 1) parts in memory")
    int part$_$size$_$mb() default 8;

    @AttributeDefinition(name = "Upload concurrency", min = "1", max = "64", description = "Parts of one object uploaded in parallel")
    int upload$_$concurrency() default 4;

    @AttributeDefinition(name = "Retry budget", min = "1", max = "20",
            description = "Attempts per request (throttling, 5xx, connection resets), with exponential backoff")
    int max$_$attempts() default 5;

    @AttributeDefinition(name = "Connect timeout (s)", min = "1", max = "600")
    int connect$_$timeout$_$s() default 10;

    @AttributeDefinition(name = "Request timeout (s)", min = "1", max = "3600", description = "Per attempt; a slower attempt is retried")
    int request$_$timeout$_$s() default 60;
}
