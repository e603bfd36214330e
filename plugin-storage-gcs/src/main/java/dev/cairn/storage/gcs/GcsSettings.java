package dev.cairn.storage.gcs;

import dev.cairn.spi.storage.StorageSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Validated GCS settings: the platform-wide configuration with a job's overrides. */
record GcsSettings(String bucket, String prefix, String endpoint, String projectId, String credentials,
                   String serviceAccountFile, int chunkSizeBytes, int maxAttempts, int connectTimeoutSeconds,
                   int requestTimeoutSeconds) {

    private static final Set<String> JOB_KEYS = Set.of("bucket", "prefix", "endpoint", "project-id", "chunk-size-mb",
            "max-attempts", "connect-timeout-s", "request-timeout-s");
    static final Set<String> PLATFORM_KEYS;

    static {
        Set<String> keys = new HashSet<>(JOB_KEYS);
        keys.addAll(Set.of("credentials", "service-account-file"));
        PLATFORM_KEYS = Set.copyOf(keys);
    }

    static GcsSettings of(Map<String, ?> platform, Map<String, String> job) {
        new StorageSettings("storage.", job).requireKnown(JOB_KEYS);
        StorageSettings p = new StorageSettings(GcsStorageProvider.PID + ": ", platform);
        Map<String, Object> merged = new HashMap<>(platform);
        merged.putAll(job);
        StorageSettings s = new StorageSettings("", merged);
        String bucket = s.string("bucket", "");
        if (!bucket.matches("[a-z0-9][a-z0-9._\\-]{1,61}[a-z0-9]")) {
            throw s.refused("bucket", bucket, "a GCS bucket name (3-63 lower-case letters, digits, '.', '_' or '-'); "
                    + "set storage.bucket on the job or bucket in " + GcsStorageProvider.PID);
        }
        String credentials = p.choice("credentials", "default", "default", "service-account-file", "none");
        String keyFile = p.string("service-account-file", "");
        if (credentials.equals("service-account-file") && (keyFile.isEmpty() || !Files.isReadable(Path.of(keyFile)))) {
            throw p.refused("service-account-file", keyFile, "a readable JSON key file (credentials=service-account-file)");
        }
        return new GcsSettings(bucket, s.keyPrefix("prefix"), s.endpoint("endpoint"), s.string("project-id", ""), credentials,
                keyFile, s.integer("chunk-size-mb", 8, 1, 1024) * 1024 * 1024, s.integer("max-attempts", 5, 1, 20),
                s.integer("connect-timeout-s", 10, 1, 600), s.integer("request-timeout-s", 60, 1, 3600));
    }

    @Override
    public String toString() {
        return "gs://" + bucket + "/" + prefix + (endpoint.isEmpty() ? "" : " at " + endpoint);
    }
}
