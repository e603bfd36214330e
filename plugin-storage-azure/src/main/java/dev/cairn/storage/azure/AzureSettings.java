package dev.cairn.storage.azure;

import dev.cairn.spi.storage.StorageSettings;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Validated Azure settings: the platform-wide configuration with a job's overrides. */
record AzureSettings(String container, boolean createContainer, String prefix, String endpoint, String credentials, String connectionString,
                     String accountName, String accountKey, String sasToken, int blockSizeBytes, int uploadConcurrency,
                     int maxAttempts, int connectTimeoutSeconds, int requestTimeoutSeconds) {

    private static final Set<String> JOB_KEYS = Set.of("container", "create-container", "prefix", "endpoint", "block-size-mb",
            "upload-concurrency", "max-attempts", "connect-timeout-s", "request-timeout-s");
    static final Set<String> PLATFORM_KEYS;

    static {
        Set<String> keys = new HashSet<>(JOB_KEYS);
        keys.addAll(Set.of("credentials", "connection-string", "account-name", "account-key", "sas-token"));
        PLATFORM_KEYS = Set.copyOf(keys);
    }

    static AzureSettings of(Map<String, ?> platform, Map<String, String> job) {
        new StorageSettings("storage.", job).requireKnown(JOB_KEYS);
        StorageSettings p = new StorageSettings(AzureStorageProvider.PID + ": ", platform);
        Map<String, Object> merged = new HashMap<>(platform);
        merged.putAll(job);
        StorageSettings s = new StorageSettings("", merged);
        String container = s.string("container", "");
        if (!container.matches("[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]")) {
            throw s.refused("container", container, "an Azure container name (3-63 lower-case letters, digits or single '-'); "
                    + "set storage.container on the job or container in " + AzureStorageProvider.PID);
        }
        String credentials = p.choice("credentials", "connection-string", "connection-string", "shared-key", "sas");
        String endpoint = s.endpoint("endpoint");
        String connectionString = p.secret("connection-string");
        String accountName = p.string("account-name", "");
        String accountKey = p.secret("account-key");
        String sas = p.secret("sas-token");
        switch (credentials) {
            case "connection-string" -> require(connectionString, "connection-string", credentials);
            case "shared-key" -> {
                require(accountName, "account-name", credentials);
                require(accountKey, "account-key", credentials);
                require(endpoint, "endpoint", credentials);
            }
            default -> {
                require(sas, "sas-token", credentials);
                require(endpoint, "endpoint", credentials);
            }
        }
        return new AzureSettings(container, s.bool("create-container", false), s.keyPrefix("prefix"), endpoint, credentials, connectionString, accountName,
                accountKey, sas, s.integer("block-size-mb", 8, 1, 4000) * 1024 * 1024, s.integer("upload-concurrency", 4, 1, 64),
                s.integer("max-attempts", 5, 1, 20), s.integer("connect-timeout-s", 10, 1, 600), s.integer("request-timeout-s", 60, 1, 3600));
    }

    private static void require(String value, String key, String credentials) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("Storage property '" + AzureStorageProvider.PID + ": credentials' = '" + credentials
                    + "' needs " + key + " to be set");
        }
    }

    /** Never prints a secret. */
    @Override
    public String toString() {
        return "azure://" + container + "/" + prefix + (endpoint.isEmpty() ? "" : " at " + endpoint);
    }
}
