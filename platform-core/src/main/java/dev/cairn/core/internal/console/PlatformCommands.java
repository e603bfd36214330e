package dev.cairn.core.internal.console;

import dev.cairn.core.internal.platform.InvalidConfigurationException;
import dev.cairn.core.internal.platform.JobSupervisor;
import dev.cairn.core.internal.platform.PluginTracker;
import java.io.IOException;
import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.AttributeDefinition;

/** {@code cairn:plugins}, {@code cairn:config}, {@code cairn:set}, {@code cairn:unset}. */
@Component(service = PlatformCommands.class, property = {"osgi.command.scope=cairn",
        "osgi.command.function=plugins", "osgi.command.function=config", "osgi.command.function=set",
        "osgi.command.function=unset"})
public final class PlatformCommands {

    private final PluginTracker plugins;
    private final JobSupervisor supervisor;
    private final ConfigurationAccess configs;

    @Activate
    public PlatformCommands(@Reference PluginTracker plugins, @Reference JobSupervisor supervisor, @Reference ConfigurationAccess configs) {
        this.plugins = plugins;
        this.supervisor = supervisor;
        this.configs = configs;
    }

    /** Installed backends, storages and job definitions, with their bundle version, the jobs running on each and the backends' gauges. */
    public String plugins() {
        Tables t = new Tables("KIND", "NAME", "BUNDLE", "VERSION", "JOBS", "METRICS");
        for (Map<String, Object> p : pluginRows()) {
            @SuppressWarnings("unchecked")
            Map<String, Long> metrics = (Map<String, Long>) p.get("metrics");
            @SuppressWarnings("unchecked")
            List<String> jobs = (List<String>) p.get("jobs");
            t.row(p.get("kind"), p.get("name"), p.get("bundle"), p.get("version"), jobs.isEmpty() ? "-" : String.join(",", jobs),
                    metrics.isEmpty() ? "-" : String.join(", ", metrics.entrySet().stream()
                            .map(e -> e.getKey() + " " + (e.getKey().endsWith("-bytes") ? Tables.bytes(e.getValue()) : e.getValue())).toList()));
        }
        return t.toString();
    }

    /** {@code plugins --json}: the same as a JSON array, gauges as plain numbers. */
    public String plugins(String... options) throws IOException {
        if (options.length != 1 || !options[0].equals("--json")) {
            throw new IllegalArgumentException("plugins takes only --json, not " + String.join(" ", options) + " (plugins [--json])");
        }
        return Tables.json(pluginRows());
    }

    private List<Map<String, Object>> pluginRows() {
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        for (PluginTracker.Plugin p : plugins.all()) {
            Map<String, Object> row = new java.util.LinkedHashMap<>();
            row.put("kind", p.kind().name().toLowerCase());
            row.put("name", p.name());
            row.put("bundle", p.bundle().getSymbolicName());
            row.put("version", p.bundle().getVersion().toString());
            row.put("jobs", supervisor.jobsUsing(p));
            row.put("metrics", new java.util.TreeMap<>(p.service() instanceof dev.cairn.spi.backend.StateBackend b ? b.metrics() : Map.of()));
            rows.add(row);
        }
        return rows;
    }

    /** Free-form properties whose values are credentials (a Kafka JAAS line, a key, a key's password): never shown. */
    private static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile("(?i)password|secret|jaas|token|credential|key$|certificate");

    /** A job's or a pid's properties: type, default, current value and description, from Metatype. */
    public String config(String target) throws IOException {
        ConfigurationAccess.Target t = configs.target(target);
        Map<String, Object> current = configs.properties(t);
        boolean kernel = t.pid().equals(JobSupervisor.PID);
        String refusal = kernel ? supervisor.kernelRefusal() : supervisor.job(target).map(j -> j.refusal()).orElse(null);
        Map<String, String> inEffect = kernel ? supervisor.kernelSettings() : Map.of();
        Tables table = new Tables("PROPERTY", "TYPE", "DEFAULT", "VALUE", "DESCRIPTION");
        for (AttributeDefinition ad : t.attributes()) {
            String[] defaults = ad.getDefaultValue();
            String[] optionValues = ad.getOptionValues();
            String options = optionValues == null || optionValues.length == 0 ? "" : " " + Arrays.toString(optionValues);
            String stored = show(ad, current.get(ad.getID()));
            String effective = inEffect.get(ad.getID());
            // the kernel keeps its settings when a change is refused: show what applies, and what was refused beside it
            String value = effective != null && refusal != null && refusal.startsWith(ad.getID() + "=")
                    ? effective + " (stored: " + stored + ", refused)" : stored;
            table.row(ad.getID(), ConfigurationAccess.typeLabel(ad.getType()) + options,
                    defaults == null ? "-" : String.join(",", defaults), value,
                    ad.getDescription() == null ? ad.getName() : ad.getDescription());
        }
        current.forEach((k, v) -> {
            boolean free = k.startsWith("param.") || k.startsWith("storage.") || k.startsWith("placement.");
            if (free && t.attributes().stream().noneMatch(ad -> ad.getID().equals(k))) {
                table.row(k, "string", "-", SECRET.matcher(k).find() ? "(hidden)" : v, k.startsWith("param.") ? "passed to the job definition"
                        : k.startsWith("storage.") ? "passed to the storage plugin" : "passed to the placement plugin");
            }
        });
        return table + (refusal == null ? "" : "\nlast refused change: " + refusal);
    }

    /** Sets properties ({@code key=value}) after validating them; a refused value changes nothing. */
    public String set(String target, String... keyValues) throws IOException, InvalidConfigurationException {
        if (keyValues.length == 0) {
            throw new IllegalArgumentException("nothing to set on " + target + ": give key=value pairs (set <job|pid> key=value…)");
        }
        configs.change(configs.target(target), JobCommands.keyValues(keyValues), List.of());
        return "updated " + target;
    }

    /** Removes properties, so that their defaults apply. */
    public String unset(String target, String... keys) throws IOException, InvalidConfigurationException {
        if (keys.length == 0) {
            throw new IllegalArgumentException("nothing to unset on " + target + ": give the keys (unset <job|pid> key…)");
        }
        configs.change(configs.target(target), Map.of(), List.of(keys));
        return "updated " + target;
    }

    private static String show(AttributeDefinition ad, Object value) {
        if (value == null) {
            return "-";
        }
        if (ad.getType() == AttributeDefinition.PASSWORD) {
            return "********";
        }
        if (value.getClass().isArray()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Array.getLength(value); i++) {
                sb.append(i == 0 ? "" : ",").append(Array.get(value, i));
            }
            return sb.toString();
        }
        return value.toString();
    }
}
