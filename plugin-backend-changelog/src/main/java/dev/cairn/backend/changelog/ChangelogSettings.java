package dev.cairn.backend.changelog;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The changelog's configuration, checked: a refused value names the property, the value and what
 * is allowed.
 *
 * @param materializationInterval how often the wrapped backend is snapshotted in the background, after which the log before it is dropped
 * @param uploadBatchBytes        a subtask's log is uploaded once this much has gathered (or at a checkpoint)
 * @param uploadDelay             or once its oldest change waited this long
 * @param memoryLimitBytes        log bytes a subtask holds before they are uploaded; past it, state writes wait (back pressure)
 * @param uploadRetries           attempts after a failed upload before the checkpoint that needs it fails
 * @param logPercent              a materialisation also starts once the log since the last one holds this many percent of
 *                                its size (0: the interval alone), which bounds space and replay on restore
 */
record ChangelogSettings(Duration materializationInterval, int uploadBatchBytes, Duration uploadDelay, long memoryLimitBytes,
                         int uploadRetries, int logPercent) {

    static final ChangelogSettings DEFAULTS = new ChangelogSettings(Duration.ofMinutes(3), 512 * 1024, Duration.ofMillis(200),
            64L * 1024 * 1024, 3, 50);

    /** Materialising on the interval alone. */
    ChangelogSettings(Duration materializationInterval, int uploadBatchBytes, Duration uploadDelay, long memoryLimitBytes, int uploadRetries) {
        this(materializationInterval, uploadBatchBytes, uploadDelay, memoryLimitBytes, uploadRetries, 0);
    }

    static ChangelogSettings of(Map<String, ?> properties) {
        Duration interval = duration(properties, "materialization-interval", DEFAULTS.materializationInterval, Duration.ofMillis(10));
        int batch = (int) bytes(properties, "upload-batch-kb", DEFAULTS.uploadBatchBytes / 1024, 1, 1024 * 1024) * 1024;
        Duration delay = duration(properties, "upload-delay", DEFAULTS.uploadDelay, Duration.ZERO);
        long memory = bytes(properties, "memory-limit-mb", DEFAULTS.memoryLimitBytes >> 20, 1, 1024 * 1024) << 20;
        int retries = (int) bytes(properties, "upload-retries", DEFAULTS.uploadRetries, 0, 100);
        int logPercent = (int) bytes(properties, "materialization-log-percent", DEFAULTS.logPercent, 0, 10_000);
        if (memory < 2L * batch) {
            throw new IllegalArgumentException("memory-limit-mb=" + (memory >> 20) + " is not allowed: use at least twice upload-batch-kb ("
                    + (batch / 1024) + " KiB), so that one batch can gather while another uploads");
        }
        return new ChangelogSettings(interval, batch, delay, memory, retries, logPercent);
    }

    private static long bytes(Map<String, ?> properties, String name, long fallback, long min, long max) {
        Object v = properties.get(name);
        if (v == null) {
            return fallback;
        }
        long n;
        try {
            n = v instanceof Number number ? number.longValue() : Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + v + " is not allowed: use a whole number from " + min + " to " + max);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + "=" + v + " is not allowed: use a whole number from " + min + " to " + max);
        }
        return n;
    }

    private static Duration duration(Map<String, ?> properties, String name, Duration fallback, Duration min) {
        Object v = properties.get(name);
        if (v == null) {
            return fallback;
        }
        String text = v.toString().trim();
        Duration d;
        try {
            d = parseDuration(text);
        } catch (DateTimeParseException | NumberFormatException e) {
            d = null;
        }
        if (d == null || d.compareTo(min) < 0) {
            throw new IllegalArgumentException(name + "=" + v + " is not allowed: use a duration of at least " + min.toMillis()
                    + "ms, such as 500ms, 10s or 3m");
        }
        return d;
    }

    private static Duration parseDuration(String text) {
        if (text.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2).trim()));
        }
        if (text.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1).trim()));
        }
        if (text.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1).trim()));
        }
        if (text.endsWith("h")) {
            return Duration.ofHours(Long.parseLong(text.substring(0, text.length() - 1).trim()));
        }
        return Duration.parse(text);
    }
}
