package dev.cairn.core.internal.platform;

import dev.cairn.core.internal.platform.PluginTracker.Kind;
import java.util.EnumMap;
import java.util.Map;
import org.osgi.framework.VersionRange;

/**
 * The bundle versions a job accepts for each of its plugins ({@code job.definition.version},
 * {@code job.backend.version}, {@code job.storage.version}, {@code job.changelog.version}), as
 * OSGi version ranges. A plugin without a range is taken in any version.
 */
record PluginVersions(Map<Kind, VersionRange> ranges) {

    static final PluginVersions ANY = new PluginVersions(Map.of());

    /** The property that pins each kind of plugin a job uses (snapshot formats are chosen per snapshot, not per job). */
    static final Map<Kind, String> PROPERTIES = Map.of(Kind.DEFINITION, "job.definition.version", Kind.BACKEND, "job.backend.version",
            Kind.STORAGE, "job.storage.version", Kind.DECORATOR, "job.changelog.version");

    PluginVersions {
        ranges = Map.copyOf(ranges);
    }

    static PluginVersions parse(ConfigValues values) throws InvalidConfigurationException {
        Map<Kind, VersionRange> ranges = new EnumMap<>(Kind.class);
        for (Map.Entry<Kind, String> e : PROPERTIES.entrySet()) {
            String text = values.string(e.getValue(), null);
            if (text == null) {
                continue;
            }
            VersionRange range;
            try {
                range = new VersionRange(text);
            } catch (IllegalArgumentException bad) {
                throw InvalidConfigurationException.of(e.getValue(), text, "use an OSGi version range of the plugin's bundle:"
                        + " [1.2,2) for 1.2 up to but not including 2, [1.2.3,1.2.3] for exactly 1.2.3, or 1.2 for 1.2 and later");
            }
            if (range.isEmpty()) {
                throw InvalidConfigurationException.of(e.getValue(), text, "the range includes no version");
            }
            ranges.put(e.getKey(), range);
        }
        return ranges.isEmpty() ? ANY : new PluginVersions(ranges);
    }

    /** The range a plugin of {@code kind} must be in, or {@code null} for any version. */
    VersionRange of(Kind kind) {
        return ranges.get(kind);
    }
}
