package dev.cairn.storage.s3;

import dev.cairn.spi.storage.StorageSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Validated S3 settings: the platform-wide configuration with a job's overrides. */
record S3Settings(String bucket, String prefix, String endpoint, String region, boolean pathStyle,
                  String credentials, String accessKey, String secretKey, int partSizeBytes,
                  int uploadConcurrency, int maxAttempts, int connectTimeoutSeconds, int requestTimeoutSeconds) {

    private static final Set<String> JOB_KEYS = Set.of("bucket", "prefix", "endpoint", "region", "path-style",
            "part-size-mb", "upload-concurrency", "max-attempts", "connect-timeout-s", "request-timeout-s");
    static final Set<String> PLATFORM_KEYS;

    static {
        Set<String> keys = new java.util.HashSet<>(JOB_KEYS);
        keys.addAll(Set.of("credentials", "access-key", "secret-key"));
        PLATFORM_KEYS = Set.copyOf(keys);
    }

    /**
     * @param platform the plugin's configuration ({@code cairn.storage.s3})
     * @param job      the job's {@code storage.*} properties, without the prefix; secrets are refused there
     */
    static S3Settings of(Map<String, ?> platform, Map<String, String> job) {
        new StorageSettings("storage.", job).requireKnown(JOB_KEYS);
        StorageSettings p = new StorageSettings(S3StorageProvider.PID + ": ", platform);
        Map<String, Object> merged = new HashMap<>(platform);
        merged.putAll(job);
        StorageSettings s = new StorageSettings("", merged);
        String bucket = s.string("bucket", "");
        if (!bucket.matches("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]")) {
            throw s.refused("bucket", bucket, "an S3 bucket name (3-63 lower-case letters, digits, '.' or '-'); set storage.bucket on the job or bucket in "
                    + S3StorageProvider.PID);
        }
        String credentials = p.choice("credentials", "default", "default", "static", "anonymous");
        String accessKey = p.string("access-key", "");
        String secretKey = p.secret("secret-key");
        if (credentials.equals("static") && (accessKey.isEmpty() || secretKey.isEmpty())) {
            throw new IllegalArgumentException("Storage property '" + S3StorageProvider.PID
                    + ": credentials' = 'static' needs access-key and secret-key to be set");
        }
        return new S3Settings(bucket, s.keyPrefix("prefix"), s.endpoint("endpoint"), s.string("region", "us-east-1"),
                s.bool("path-style", false), credentials, accessKey, secretKey,
                s.integer("part-size-mb", 8, 5, 5120) * 1024 * 1024, s.integer("upload-concurrency", 4, 1, 64),
                s.integer("max-attempts", 5, 1, 20), s.integer("connect-timeout-s", 10, 1, 600),
                s.integer("request-timeout-s", 60, 1, 3600));
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "s3://" + bucket + "/" + prefix + (endpoint.isEmpty() ? "" : " at " + endpoint);
    }
}
