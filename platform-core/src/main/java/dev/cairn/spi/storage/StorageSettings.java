package dev.cairn.spi.storage;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, validated reads of a storage plugin's settings, which arrive as strings (job
 * properties, {@code .cfg} files, the console) or typed (ConfigAdmin). Every refusal is an
 * {@link IllegalArgumentException} naming the property, the value and what is allowed. Secret
 * values are never repeated in a message.
 */
public final class StorageSettings {

    private final String prefix;
    private final Map<String, ?> values;

    /**
     * @param prefix how properties are named in messages, e.g. {@code "storage."} for job properties
     */
    public StorageSettings(String prefix, Map<String, ?> values) {
        this.prefix = prefix;
        this.values = values;
    }

    /**
     * The entries of {@code properties} whose keys are in {@code keys}: a plugin's own settings
     * out of a ConfigAdmin dictionary, which also carries {@code service.pid} and the like.
     */
    public static Map<String, Object> select(Map<String, ?> properties, Set<String> keys) {
        Map<String, Object> own = new java.util.HashMap<>();
        properties.forEach((k, v) -> {
            if (keys.contains(k)) {
                own.put(k, v);
            }
        });
        return own;
    }

    /** Refuses any key outside {@code allowed}, so that a typo is not silently ignored. */
    public StorageSettings requireKnown(Set<String> allowed) {
        for (String key : values.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("Storage property '" + prefix + key + "' is not known here; use one of "
                        + new TreeSet<>(allowed).stream().map(k -> prefix + k).toList());
            }
        }
        return this;
    }

    public boolean has(String key) {
        Object v = values.get(key);
        return v != null && !v.toString().isBlank();
    }

    public String string(String key, String defaultValue) {
        return has(key) ? values.get(key).toString().trim() : defaultValue;
    }

    /** A secret: returned as is, never trimmed or echoed in errors. */
    public String secret(String key) {
        Object v = values.get(key);
        return v == null ? "" : v.toString();
    }

    public int integer(String key, int defaultValue, int min, int max) {
        if (!has(key)) {
            return defaultValue;
        }
        Object v = values.get(key);
        String allowed = "an integer from " + min + " to " + max;
        long n;
        if (v instanceof Number number && !(v instanceof Double) && !(v instanceof Float)) {
            n = number.longValue();
        } else {
            try {
                n = Long.parseLong(v.toString().trim());
            } catch (NumberFormatException e) {
                throw refused(key, v, allowed);
            }
        }
        if (n < min || n > max) {
            throw refused(key, v, allowed);
        }
        return (int) n;
    }

    public boolean bool(String key, boolean defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        Object v = values.get(key);
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
            throw refused(key, v, "true or false");
        }
        return Boolean.parseBoolean(s);
    }

    /** One of {@code allowed} (case-insensitive), returned in lower case. */
    public String choice(String key, String defaultValue, String... allowed) {
        String v = string(key, defaultValue).toLowerCase(Locale.ROOT);
        if (Arrays.asList(allowed).contains(v)) {
            return v;
        }
        throw refused(key, values.get(key), "one of " + String.join(", ", allowed));
    }

    /** An absolute http or https URI without user info, query or fragment; empty if unset. */
    public String endpoint(String key) {
        String v = string(key, "");
        if (v.isEmpty()) {
            return v;
        }
        try {
            java.net.URI uri = new java.net.URI(v);
            if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null) {
                throw refused(key, v, "an http:// or https:// URL with a host and no credentials, query or fragment");
            }
        } catch (java.net.URISyntaxException e) {
            throw refused(key, v, "an http:// or https:// URL");
        }
        return v;
    }

    /**
     * A key prefix inside a bucket or container: empty, or relative '/'-separated segments
     * (see {@link StoragePaths#requireRelative}); returned with a trailing '/'.
     */
    public String keyPrefix(String key) {
        String v = string(key, "");
        while (v.endsWith("/")) {
            v = v.substring(0, v.length() - 1);
        }
        if (v.isEmpty()) {
            return "";
        }
        try {
            return StoragePaths.requireRelative(v) + "/";
        } catch (IllegalArgumentException e) {
            throw refused(key, v, "a relative path of non-empty segments without '.' or '..'");
        }
    }

    public IllegalArgumentException refused(String key, Object value, String allowed) {
        return new IllegalArgumentException("Storage property '" + prefix + key + "' = '" + value + "' is not valid; use " + allowed);
    }
}
