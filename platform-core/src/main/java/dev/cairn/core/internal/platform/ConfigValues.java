package dev.cairn.core.internal.platform;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of configuration properties that may arrive as strings (from {@code .cfg} files or
 * the console) or typed (from {@code .config} files or ConfigAdmin). Every refusal names the
 * property, the value and what is allowed.
 */
final class ConfigValues {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private final Map<String, ?> properties;

    ConfigValues(Map<String, ?> properties) {
        this.properties = properties;
    }

    boolean has(String key) {
        Object v = properties.get(key);
        return v != null && !v.toString().isBlank();
    }

    String string(String key, String defaultValue) {
        return has(key) ? properties.get(key).toString().trim() : defaultValue;
    }

    String requiredString(String key, String allowed) throws InvalidConfigurationException {
        if (!has(key)) {
            throw InvalidConfigurationException.of(key, properties.get(key), allowed + " (the property is required)");
        }
        return string(key, null);
    }

    int integer(String key, int defaultValue, int min, int max) throws InvalidConfigurationException {
        if (!has(key)) {
            return defaultValue;
        }
        Object v = properties.get(key);
        String allowed = max == Integer.MAX_VALUE ? "use an integer >= " + min : "use an integer from " + min + " to " + max;
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            n = ((Number) v).longValue();
        } else if (v instanceof String s) {
            try {
                n = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw InvalidConfigurationException.of(key, v, allowed);
            }
        } else {
            throw InvalidConfigurationException.of(key, v, allowed + " (got a " + v.getClass().getSimpleName() + ")");
        }
        if (n < min || n > max) {
            throw InvalidConfigurationException.of(key, v, allowed);
        }
        return (int) n;
    }

    double decimal(String key, double defaultValue, double min) throws InvalidConfigurationException {
        if (!has(key)) {
            return defaultValue;
        }
        Object v = properties.get(key);
        String allowed = "use a number >= " + min + " such as " + Math.max(min, 2.0);
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else {
            try {
                d = Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                throw InvalidConfigurationException.of(key, v, allowed);
            }
        }
        if (!(d >= min) || Double.isInfinite(d)) {
            throw InvalidConfigurationException.of(key, v, allowed);
        }
        return d;
    }

    boolean bool(String key, boolean defaultValue) throws InvalidConfigurationException {
        if (!has(key)) {
            return defaultValue;
        }
        Object v = properties.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw InvalidConfigurationException.of(key, v, "use true or false");
    }

    /** {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT10S}). */
    Duration duration(String key, Duration defaultValue, Duration min) throws InvalidConfigurationException {
        if (!has(key)) {
            return defaultValue;
        }
        String s = properties.get(key).toString().trim();
        // examples the bound allows: "a duration >= 1s such as 500ms" contradicted itself
        String examples = java.util.stream.Stream.of(Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofHours(1))
                .filter(e -> e.compareTo(min) >= 0).map(ConfigValues::format).collect(java.util.stream.Collectors.joining(", "));
        String allowed = "use a duration >= " + format(min) + " such as " + (examples.isEmpty() ? format(min) : examples) + " (or ISO-8601, e.g. PT10S)";
        Duration d;
        Matcher m = DURATION.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } else {
            try {
                d = Duration.parse(s);
            } catch (DateTimeParseException e) {
                throw InvalidConfigurationException.of(key, s, allowed);
            }
        }
        if (d.compareTo(min) < 0) {
            throw InvalidConfigurationException.of(key, s, allowed);
        }
        return d;
    }

    <E extends Enum<E>> E choice(String key, E defaultValue, Class<E> type) throws InvalidConfigurationException {
        if (!has(key)) {
            return defaultValue;
        }
        String s = properties.get(key).toString().trim();
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(s.replace('-', '_'))) {
                return e;
            }
        }
        throw InvalidConfigurationException.of(key, s, "use one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
    }

    static String format(Duration d) {
        if (d.toMillis() % 1000 != 0 || d.isZero()) {
            return d.toMillis() + "ms";
        }
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }
}
