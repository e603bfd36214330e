package dev.cairn.core.internal.console;

import dev.cairn.core.internal.platform.InvalidConfigurationException;
import dev.cairn.core.internal.platform.JobSupervisor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Reads and changes configurations the way the console does: every change is checked against
 * its Metatype description (names, types, options) and against the kernel's own rules before it
 * reaches ConfigAdmin, so a refused value never reaches a running job.
 */
@Component(service = ConfigurationAccess.class)
public final class ConfigurationAccess {

    /** Set by FileInstall on a configuration it read from a file. */
    static final String FILE_PROPERTY = "felix.fileinstall.filename";

    static final String JOB_FACTORY_PID = "cairn.job";

    /** A configuration the console can address: a job by name, or any pid with a Metatype description. */
    record Target(String pid, String factoryPid, ObjectClassDefinition ocd) {
        List<AttributeDefinition> attributes() {
            AttributeDefinition[] ads = ocd == null ? null : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
            return ads == null ? List.of() : Arrays.asList(ads);
        }
    }

    private final ConfigurationAdmin configAdmin;
    private final MetaTypeService metaType;
    private final JobSupervisor supervisor;
    private final BundleContext context;

    @Activate
    public ConfigurationAccess(@Reference ConfigurationAdmin configAdmin, @Reference MetaTypeService metaType,
                               @Reference JobSupervisor supervisor, BundleContext context) {
        this.configAdmin = configAdmin;
        this.metaType = metaType;
        this.supervisor = supervisor;
        this.context = context;
    }

    /** {@code name} is a job's name or a configuration pid. */
    Target target(String name) throws IOException {
        var job = supervisor.job(name);
        if (job.isPresent() && job.get().spec() != null && job.get().spec().inputPartition() >= 0) {
            throw new IllegalArgumentException("job " + name + " is a range of job " + job.get().spec().sharedJobName()
                    + ", shared by partition: it has no configuration of its own; configure job " + job.get().spec().sharedJobName());
        }
        if (job.isPresent()) {
            return new Target(job.get().pid(), JOB_FACTORY_PID, describe(JOB_FACTORY_PID));
        }
        var shared = supervisor.sharedJob(name);
        if (shared.isPresent()) {
            return new Target(shared.get().pid(), JOB_FACTORY_PID, describe(JOB_FACTORY_PID));
        }
        ObjectClassDefinition ocd = describe(name);
        if (ocd == null) {
            throw new IllegalArgumentException("'" + name + "' is neither a job nor a configuration with a Metatype description; jobs: "
                    + supervisor.jobs().stream().map(j -> j.name()).toList() + ", configurations: " + describedPids());
        }
        return new Target(name, null, ocd);
    }

    /** The current properties of {@code target} (empty when it has none yet). */
    Map<String, Object> properties(Target target) throws IOException {
        Configuration c = existing(target.pid());
        Map<String, Object> props = new LinkedHashMap<>();
        if (c != null && c.getProperties() != null) {
            Dictionary<String, Object> d = c.getProperties();
            for (String k : Collections.list(d.keys())) {
                props.put(k, d.get(k));
            }
        }
        return props;
    }

    /** Creates the job configuration {@code cairn.job~name} with {@code properties}, after checking them. */
    void createJob(String name, Map<String, Object> properties) throws IOException, InvalidConfigurationException {
        if (supervisor.job(name).isPresent() || supervisor.sharedJob(name).isPresent()) {
            throw new IllegalArgumentException("A job named '" + name + "' exists already");
        }
        String pid = JOB_FACTORY_PID + "~" + name;
        Map<String, Object> typed = typed(new Target(pid, JOB_FACTORY_PID, describe(JOB_FACTORY_PID)), properties);
        supervisor.validateJobUpdate(pid, typed);
        Configuration c = configAdmin.getFactoryConfiguration(JOB_FACTORY_PID, name, "?");
        c.update(new Hashtable<>(typed));
    }

    /**
     * Sets and removes properties of {@code target} in one validated update. A configuration read
     * from a file in etc/ or deploy/ gets plain text values, so that FileInstall, writing the change
     * back to that file, keeps it as a person wrote it ({@code key = value}, comments, order).
     */
    void change(Target target, Map<String, Object> set, List<String> unset) throws IOException, InvalidConfigurationException {
        checkEditable(target);
        Map<String, Object> next = properties(target);
        Map<String, Object> values = typed(target, set);
        if (next.containsKey(FILE_PROPERTY)) {
            values = asText(values);
        }
        next.putAll(values);
        unset.forEach(next::remove);
        validate(target, next);
        Configuration c = existing(target.pid());
        if (c == null) {
            c = configAdmin.getConfiguration(target.pid(), "?");
        }
        next.keySet().removeIf(k -> k.equals("service.pid") || k.equals("service.factoryPid") || k.equals("service.bundleLocation"));
        c.update(new Hashtable<>(next));
    }

    /** The kernel's own rules for a whole configuration, beyond the Metatype checks of {@link #typed}. */
    void validate(Target target, Map<String, Object> properties) throws InvalidConfigurationException {
        if (JOB_FACTORY_PID.equals(target.factoryPid())) {
            supervisor.validateJobUpdate(target.pid(), properties);
        } else if (target.pid().equals("cairn.kernel")) {
            supervisor.validateKernelUpdate(properties);
        } else if (target.pid().equals(ConsoleEndpoint.PID)) {
            ConsoleEndpoint.validate(properties);
        }
    }

    /** Values as FileInstall writes them back to a file unchanged in form: plain text, lists joined by commas. */
    static Map<String, Object> asText(Map<String, Object> values) {
        Map<String, Object> text = new LinkedHashMap<>(values);
        text.replaceAll((k, v) -> {
            if (!v.getClass().isArray()) {
                return String.valueOf(v);
            }
            List<String> items = new ArrayList<>();
            for (int i = 0; i < java.lang.reflect.Array.getLength(v); i++) {
                items.add(String.valueOf(java.lang.reflect.Array.get(v, i)));
            }
            return String.join(",", items);
        });
        return text;
    }

    /** A configuration as an editor outside the console names it: by pid, and factory pid for a factory configuration. */
    Target target(String factoryPid, String pid) throws IOException {
        // an existing configuration is what it is stored as, whatever an editor says its factory is
        Configuration c = existing(pid);
        String factory = c != null ? c.getFactoryPid() : factoryPid;
        return new Target(pid, factory, describe(factory != null ? factory : pid));
    }

    /** The file in etc/ or deploy/ a configuration was read from, if it was. */
    java.util.Optional<String> file(Target target) throws IOException {
        Object file = properties(target).get(FILE_PROPERTY);
        return java.util.Optional.ofNullable(file).map(f -> f.toString().replaceFirst("^file:", ""));
    }

    /** Deletes a configuration (callers keep those read from files: see {@link #file}). */
    void delete(Target target) throws IOException {
        checkEditable(target);
        Configuration c = existing(target.pid());
        if (c != null) {
            c.delete();
        }
    }

    /**
     * Converts console strings to each attribute's Metatype type and refuses unknown names, wrong
     * types and values outside the options. Job configurations also take {@code param.*}, {@code storage.*} and {@code placement.*}.
     */
    Map<String, Object> typed(Target target, Map<String, Object> values) throws InvalidConfigurationException {
        Map<String, AttributeDefinition> ads = new LinkedHashMap<>();
        target.attributes().forEach(ad -> ads.put(ad.getID(), ad));
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            String key = e.getKey();
            AttributeDefinition ad = ads.get(key);
            boolean free = JOB_FACTORY_PID.equals(target.factoryPid()) && (key.startsWith("param.") || key.startsWith("storage.") || key.startsWith("placement."));
            if (ad == null && !free) {
                throw new InvalidConfigurationException(key + "=" + e.getValue() + " is not allowed: it is not a property of "
                        + target.ocd().getID() + "; use one of " + ads.keySet());
            }
            result.put(key, ad == null ? e.getValue() : convertAll(ad, e.getValue(), !kernelChecks(target)));
        }
        return result;
    }

    /** The kernel's own configurations have rules (and messages) of their own beyond Metatype's. */
    private static boolean kernelChecks(Target target) {
        return JOB_FACTORY_PID.equals(target.factoryPid()) || target.pid().equals("cairn.kernel") || target.pid().equals(ConsoleEndpoint.PID);
    }

    /** A list (an array or collection, as editors post multi-valued attributes) item by item; anything else as text. */
    private static Object convertAll(AttributeDefinition ad, Object value, boolean metatypeRanges) throws InvalidConfigurationException {
        List<Object> items = new ArrayList<>();
        if (value instanceof java.util.Collection<?> c) {
            items.addAll(c);
        } else if (value != null && value.getClass().isArray()) {
            for (int i = 0; i < java.lang.reflect.Array.getLength(value); i++) {
                items.add(java.lang.reflect.Array.get(value, i));
            }
        } else {
            return convert(ad, String.valueOf(value), metatypeRanges);
        }
        List<Object> converted = new ArrayList<>();
        for (Object item : items) {
            converted.add(convert(ad, String.valueOf(item), metatypeRanges));
        }
        if (ad.getCardinality() == 0) {
            if (converted.size() != 1) {
                throw new InvalidConfigurationException(ad.getID() + "=" + items + " is not allowed: it takes one value");
            }
            return converted.get(0);
        }
        Object array = java.lang.reflect.Array.newInstance(converted.isEmpty() ? String.class : converted.get(0).getClass(), converted.size());
        for (int i = 0; i < converted.size(); i++) {
            java.lang.reflect.Array.set(array, i, converted.get(i));
        }
        return array;
    }

    private static Object convert(AttributeDefinition ad, String value, boolean metatypeRanges) throws InvalidConfigurationException {
        String[] options = ad.getOptionValues();
        if (options != null && options.length > 0 && !Arrays.asList(options).contains(value)) {
            throw new InvalidConfigurationException(ad.getID() + "=" + value + " is not allowed: use one of " + Arrays.toString(options));
        }
        Object converted;
        try {
            converted = switch (ad.getType()) {
                case AttributeDefinition.INTEGER -> Integer.valueOf(value.trim());
                case AttributeDefinition.LONG -> Long.valueOf(value.trim());
                case AttributeDefinition.BOOLEAN -> {
                    if (!value.trim().equalsIgnoreCase("true") && !value.trim().equalsIgnoreCase("false")) {
                        throw new NumberFormatException();
                    }
                    yield Boolean.valueOf(value.trim());
                }
                case AttributeDefinition.DOUBLE -> Double.valueOf(value.trim());
                default -> value;
            };
        } catch (NumberFormatException ex) {
            throw new InvalidConfigurationException(ad.getID() + "=" + value + " is not allowed: use " + typeName(ad.getType()));
        }
        // then Metatype's own check, which knows the description's min and max
        String problem = metatypeRanges ? ad.validate(value.trim()) : null;
        if (problem != null && !problem.isEmpty()) {
            throw new InvalidConfigurationException(ad.getID() + "=" + value + " is not allowed: " + problem
                    + (ad.getDescription() == null ? "" : " (" + ad.getDescription() + ")"));
        }
        return converted;
    }

    /** The Metatype type's name as the console shows it. */
    static String typeLabel(int type) {
        return switch (type) {
            case AttributeDefinition.INTEGER -> "integer";
            case AttributeDefinition.LONG -> "long";
            case AttributeDefinition.BOOLEAN -> "boolean";
            case AttributeDefinition.DOUBLE -> "double";
            case AttributeDefinition.PASSWORD -> "password";
            default -> "string";
        };
    }

    private static String typeName(int type) {
        String label = typeLabel(type);
        return type == AttributeDefinition.BOOLEAN ? "true or false" : (label.startsWith("i") ? "an " : "a ") + label;
    }

    private Configuration existing(String pid) throws IOException {
        try {
            String escaped = pid.replaceAll("([\\\\*()])", "\\\\$1"); // OSGi filter syntax: a backslash before each
            Configuration[] found = configAdmin.listConfigurations("(service.pid=" + escaped + ")");
            return found == null ? null : found[0];
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException("Not a configuration pid: " + pid);
        }
    }

    /** The Metatype description of {@code pid} (a pid or factory pid), from whichever bundle provides it. */
    ObjectClassDefinition describe(String pid) {
        MetaTypeInformation info = information(pid);
        return info == null ? null : info.getObjectClassDefinition(pid, null);
    }

    private MetaTypeInformation information(String pid) {
        for (Bundle b : context.getBundles()) {
            MetaTypeInformation info = metaType.getMetaTypeInformation(b);
            if (info != null && (Arrays.asList(info.getPids()).contains(pid) || Arrays.asList(info.getFactoryPids()).contains(pid))) {
                return info;
            }
        }
        return null;
    }

    /**
     * Refuses a change the consoles must not make: a configuration nothing describes, a targeted
     * one ({@code pid|bundle}, which would take precedence over the one shown), or one of the
     * platform's own services (HTTP, the web console, FileInstall …): those decide where the
     * platform listens and what its consoles may do, so they change only in their files.
     */
    void checkEditable(Target target) {
        String pid = target.pid();
        if (pid.indexOf('|') >= 0) {
            throw new IllegalArgumentException(pid + " is a targeted configuration: the consoles change only the configuration of a pid itself");
        }
        String described = target.factoryPid() != null ? target.factoryPid() : pid;
        MetaTypeInformation info = information(described);
        if (info == null) {
            throw new IllegalArgumentException(pid + " has no Metatype description: the consoles change only described configurations");
        }
        String bundle = info.getBundle().getSymbolicName();
        if (bundle == null || isInfrastructure(bundle)) {
            throw new IllegalArgumentException(pid + " configures the platform's own " + bundle + ": change it in its file in etc/"
                    + " or in conf/config.properties, not from a console");
        }
    }

    private static boolean isInfrastructure(String symbolicName) {
        return symbolicName.startsWith("org.apache.") || symbolicName.startsWith("org.osgi.") || symbolicName.startsWith("org.eclipse.");
    }

    private List<String> describedPids() {
        List<String> pids = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            MetaTypeInformation info = metaType.getMetaTypeInformation(b);
            if (info != null) {
                pids.addAll(Arrays.asList(info.getPids()));
            }
        }
        return pids.stream().sorted().toList();
    }
}
