package dev.cairn.core.internal.platform;

import dev.cairn.api.platform.JobDefinition;
import dev.cairn.spi.placement.JobPlacement;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The kernel's view of all configured jobs: creates a {@link JobInstance} per job configuration,
 * refuses bad configurations before they reach a job, and tells jobs when plugins come and go.
 */
@Component(service = JobSupervisor.class, configurationPid = JobSupervisor.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = KernelConfiguration.class)
public final class JobSupervisor implements PluginTracker.Listener, JobInstance.Platform {

    public static final String PID = "cairn.kernel";

    private static final Logger LOG = Logger.getLogger(JobSupervisor.class.getName());

    private final PluginTracker plugins;
    private final Map<String, JobInstance> instances = new ConcurrentHashMap<>();
    /** Jobs shared between processes by partition, by configuration pid; their ranges running here are in {@link #instances}. */
    private final Map<String, DistributedJob> shared = new ConcurrentHashMap<>();
    private final DistributedJob.Ranges ranges = new DistributedJob.Ranges() {
        public void add(JobInstance range) {
            instances.put(range.pid(), range);
        }

        public void remove(JobInstance range) {
            instances.remove(range.pid(), range);
        }
    };
    private final ExecutorService kernelThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cairn-kernel");
        t.setDaemon(true);
        return t;
    });
    private final Path dataDirectory;
    private volatile String defaultRoot;
    private volatile Duration stopTimeout;
    private volatile String kernelRefusal;

    @Activate
    public JobSupervisor(@Reference PluginTracker plugins, BundleContext context, Map<String, Object> properties)
            throws InvalidConfigurationException {
        this.plugins = plugins;
        String data = context.getProperty("cairn.data");
        this.dataDirectory = data != null ? Path.of(data) : context.getDataFile("").toPath();
        applyKernelConfiguration(properties, true);
        plugins.addListener(this);
    }

    @Modified
    void modified(Map<String, Object> properties) throws InvalidConfigurationException {
        applyKernelConfiguration(properties, false);
    }

    private void applyKernelConfiguration(Map<String, Object> properties, boolean initial) throws InvalidConfigurationException {
        try {
            KernelSettings s = validateKernel(properties);
            defaultRoot = s.root;
            stopTimeout = s.stopTimeout;
            kernelRefusal = null;
        } catch (InvalidConfigurationException e) {
            kernelRefusal = e.getMessage();
            LOG.warning("Configuration " + PID + " refused, the kernel keeps its current one: " + e.getMessage());
            if (initial) {
                // without any valid settings yet, fall back to the defaults rather than not starting
                KernelSettings s = validateKernel(Map.of());
                defaultRoot = s.root;
                stopTimeout = s.stopTimeout;
            }
        }
    }

    private record KernelSettings(String root, Duration stopTimeout) {
    }

    private KernelSettings validateKernel(Map<String, ?> properties) throws InvalidConfigurationException {
        ConfigValues v = new ConfigValues(properties);
        String root = v.string("storage.root", dataDirectory.resolve("snapshots").toAbsolutePath().toString());
        if (!Path.of(root).isAbsolute()) {
            throw InvalidConfigurationException.of("storage.root", root, "use an absolute directory path");
        }
        return new KernelSettings(root, v.duration("stop.timeout", Duration.ofSeconds(60), Duration.ofSeconds(1)));
    }

    /** Refuses what {@link #modified} would refuse, without applying anything. */
    public void validateKernelUpdate(Map<String, ?> properties) throws InvalidConfigurationException {
        validateKernel(properties);
    }

    @Deactivate
    void deactivate() {
        plugins.removeListener(this);
        kernelThread.shutdown();
        try {
            kernelThread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- job configurations (from JobInstanceComponent)

    void configured(String pid, Map<String, Object> properties) {
        JobInstance existing = instances.get(pid);
        JobSpec spec;
        try {
            spec = parse(pid, properties);
            checkPlacementKept(pid, spec);
            if (spec.sharedByPartition()) {
                configuredShared(pid, spec);
                return;
            }
            if (existing != null) {
                existing.checkUpdate(spec);
            } else {
                requireUniqueName(pid, spec.name());
            }
        } catch (InvalidConfigurationException e) {
            if (shared.containsKey(pid)) {
                shared.get(pid).refuse(e.getMessage());
            } else if (existing != null) {
                existing.refuse(e.getMessage());
            } else {
                Object given = properties.get("job.name");
                String name = given != null ? given.toString() : nameFromConfiguration(pid, properties);
                boolean usable = name != null && JobSpec.JOB_NAME.matcher(name).matches() && job(name).isEmpty();
                instances.put(pid, JobInstance.refused(pid, usable ? name : pid, e.getMessage(), this));
            }
            return;
        }
        if (existing == null || existing.spec() == null) {
            JobInstance created = new JobInstance(pid, spec, this);
            instances.put(pid, created);
            later(created::reconcile);
        } else {
            later(() -> existing.configure(spec));
        }
    }

    private void configuredShared(String pid, JobSpec spec) throws InvalidConfigurationException {
        DistributedJob existing = shared.get(pid);
        if (existing == null) {
            requireUniqueName(pid, spec.name());
            instances.remove(pid); // an earlier, refused version of this configuration
            DistributedJob created = new DistributedJob(pid, spec, this, ranges);
            shared.put(pid, created);
            later(created::reconcile);
        } else {
            checkSharedUpdate(existing.spec(), spec);
            later(() -> existing.configure(spec));
        }
    }

    /**
     * What a shared job keeps for its life: its ranges' ledgers hold native checkpoints of its
     * backend and key groups, on its storage, under its name, and a handover restores them as they are.
     */
    static void checkSharedUpdate(JobSpec current, JobSpec next) throws InvalidConfigurationException {
        String why = "a job shared by partition keeps its name, backend, key groups, changelog and storage for its life (its ranges"
                + " hand over through native checkpoints of them); create a new job instead";
        if (!next.name().equals(current.name())) {
            throw InvalidConfigurationException.of("job.name", next.name(), why);
        }
        if (!next.config().backend().equals(current.config().backend())) {
            throw InvalidConfigurationException.of("job.backend", next.config().backend(), why);
        }
        if (next.config().maxParallelism() != current.config().maxParallelism()) {
            throw InvalidConfigurationException.of("job.max-parallelism", next.config().maxParallelism(), why);
        }
        if (next.changelog() != current.changelog()) {
            throw InvalidConfigurationException.of("job.changelog", next.changelog(), why);
        }
        if (!next.config().storage().equals(current.config().storage()) || !next.config().storageConfig().equals(current.config().storageConfig())) {
            throw InvalidConfigurationException.of("job.storage", next.config().storage() + " " + next.config().storageConfig().keySet(), why);
        }
        if (!next.placement().plugin().equals(current.placement().plugin())) {
            throw InvalidConfigurationException.of("job.placement", next.placement().plugin(), why);
        }
        // the group itself: processes change their configurations one at a time, and a process in another group than the
        // others would run every range a second time
        for (String group : List.of("group.id", "topic", "bootstrap.servers")) {
            String was = current.placement().settings().get(group);
            String is = next.placement().settings().get(group);
            if (!java.util.Objects.equals(was, is)) {
                throw InvalidConfigurationException.of("placement." + group, is, "a job shared by partition keeps the group its processes"
                        + " share for its life (one process in another group would run every range a second time); create a new job instead");
            }
        }
    }

    /**
     * A job keeps or lacks {@code job.placement} for its life: its state lives in one ledger, or in
     * one ledger per range, and neither is read as the other.
     */
    private void checkPlacementKept(String pid, JobSpec spec) throws InvalidConfigurationException {
        boolean wasShared = shared.containsKey(pid);
        boolean wasLocal = instances.containsKey(pid) && instances.get(pid).spec() != null;
        if ((wasShared && !spec.sharedByPartition()) || (wasLocal && spec.sharedByPartition())) {
            throw InvalidConfigurationException.of("job.placement", spec.placement() == null ? "" : spec.placement().plugin(),
                    "a job keeps job.placement set or unset for its life (its state is in one ledger per range, or in one);"
                            + " create a new job, e.g. from a savepoint of this one");
        }
    }

    void removed(String pid, boolean configurationDeleted) {
        DistributedJob sharedJob = shared.remove(pid);
        if (sharedJob != null) {
            sharedJob.remove(configurationDeleted ? "configuration deleted" : "platform stopping");
            return;
        }
        JobInstance instance = instances.remove(pid);
        if (instance != null && instance.spec() != null) {
            CompletableFuture<String> awaited = configurationDeleted ? removals.remove(instance.spec().name()) : null;
            try {
                String savepoint = instance.dispose(configurationDeleted);
                if (awaited != null) {
                    awaited.complete(savepoint);
                }
            } catch (RuntimeException | Error e) {
                if (awaited != null) {
                    awaited.completeExceptionally(e);
                }
                throw e;
            }
        }
    }

    private final Map<String, CompletableFuture<String>> removals = new ConcurrentHashMap<>();

    /**
     * Completes with the savepoint job {@code name} stopped with ({@code null} if it was not
     * running) once its configuration is deleted and it has stopped.
     */
    public CompletableFuture<String> removal(String name) {
        return removals.computeIfAbsent(name, n -> new CompletableFuture<>());
    }

    /** Refuses what {@link #configured} would refuse for the job configuration {@code pid}. */
    public void validateJobUpdate(String pid, Map<String, ?> properties) throws InvalidConfigurationException {
        JobSpec spec = parse(pid, properties);
        checkPlacementKept(pid, spec);
        JobInstance existing = instances.get(pid);
        if (spec.sharedByPartition()) {
            if (!shared.containsKey(pid)) {
                requireUniqueName(pid, spec.name());
            } else {
                checkSharedUpdate(shared.get(pid).spec(), spec);
            }
        } else if (existing != null && existing.spec() != null) {
            existing.checkUpdate(spec);
        } else {
            requireUniqueName(pid, spec.name());
        }
        checkPluginSettings(spec);
    }

    /**
     * Lets the storage plugin check the job's {@code storage.*} settings, and the job definition
     * build the job's graph from its parameters and throw it away, each when installed: a missing
     * or wrong value is refused before anything changes, not when the job starts. Without the
     * plugin the job will wait for it and be checked then.
     */
    private void checkPluginSettings(JobSpec spec) throws InvalidConfigurationException {
        Optional<PluginTracker.Plugin> storage = spec.plugin(plugins, PluginTracker.Kind.STORAGE);
        if (storage.isPresent() && storage.get().service() instanceof SnapshotStorageProvider provider) {
            try {
                provider.validate(spec.config().storageConfig());
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(e.getMessage());
            }
        }
        Optional<PluginTracker.Plugin> placement = spec.placement() == null ? Optional.empty() : spec.plugin(plugins, PluginTracker.Kind.PLACEMENT);
        if (placement.isPresent() && placement.get().service() instanceof JobPlacement p) {
            try {
                p.validate(spec.placement().settings());
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(e.getMessage());
            }
        }
        Optional<PluginTracker.Plugin> definition = spec.plugin(plugins, PluginTracker.Kind.DEFINITION);
        if (definition.isEmpty() || !(definition.get().service() instanceof JobDefinition def)) {
            return;
        }
        try {
            def.build(spec.name(), spec.parameters());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            throw new InvalidConfigurationException("job definition '" + spec.definition() + "' cannot build a job from these parameters: " + e);
        }
    }

    private JobSpec parse(String pid, Map<String, ?> properties) throws InvalidConfigurationException {
        return JobSpec.parse(properties, nameFromConfiguration(pid, properties), defaultRoot);
    }

    private void requireUniqueName(String pid, String name) throws InvalidConfigurationException {
        for (JobInstance i : instances.values()) {
            if (!i.pid().equals(pid) && i.spec() != null && i.name().equals(name)) {
                throw InvalidConfigurationException.of("job.name", name, "another job configuration (" + i.pid() + ") has that name");
            }
        }
        for (Map.Entry<String, DistributedJob> e : shared.entrySet()) {
            if (!e.getKey().equals(pid) && e.getValue().name().equals(name)) {
                throw InvalidConfigurationException.of("job.name", name, "another job configuration (" + e.getKey() + ") has that name");
            }
        }
    }

    /**
     * {@code cairn.job~orders} (a named factory configuration) or FileInstall's {@code cairn.job-orders.cfg}
     * give the name {@code orders}.
     */
    static String nameFromConfiguration(String pid, Map<String, ?> properties) {
        int tilde = pid.indexOf('~');
        if (tilde >= 0) {
            return pid.substring(tilde + 1);
        }
        Object file = properties.get("felix.fileinstall.filename");
        if (file != null) {
            String f = file.toString();
            String base = f.substring(f.lastIndexOf('/') + 1).replaceFirst("\\.(cfg|config)$", "");
            int dash = base.indexOf('-');
            if (dash >= 0) {
                return base.substring(dash + 1);
            }
        }
        return null;
    }

    // ---- queries for the console

    public Collection<JobInstance> jobs() {
        return instances.values().stream().sorted(java.util.Comparator.comparing(JobInstance::name)).toList();
    }

    public Optional<JobInstance> job(String name) {
        return instances.values().stream().filter(i -> i.name().equals(name)).findFirst();
    }

    /** The jobs shared between processes by partition, by name. */
    public Collection<DistributedJob> sharedJobs() {
        return shared.values().stream().sorted(java.util.Comparator.comparing(DistributedJob::name)).toList();
    }

    public Optional<DistributedJob> sharedJob(String name) {
        return shared.values().stream().filter(j -> j.name().equals(name)).findFirst();
    }

    public String kernelRefusal() {
        return kernelRefusal;
    }

    /** The kernel settings in effect (a refused change leaves them as they were), as text by property. */
    public Map<String, String> kernelSettings() {
        return Map.of("storage.root", defaultRoot, "stop.timeout", ConfigValues.format(stopTimeout));
    }

    public String defaultStorageRoot() {
        return defaultRoot;
    }

    /** Jobs currently running on {@code plugin}. */
    public List<String> jobsUsing(PluginTracker.Plugin plugin) {
        return instances.values().stream().filter(i -> i.pluginsInUse().stream().anyMatch(p -> p.service() == plugin.service()))
                .map(JobInstance::name).sorted().toList();
    }

    // ---- PluginTracker.Listener

    @Override
    public void pluginAdded(PluginTracker.Plugin plugin) {
        later(() -> instances.values().forEach(JobInstance::pluginAdded));
        later(() -> shared.values().forEach(DistributedJob::pluginAdded));
    }

    @Override
    public void pluginRemoved(PluginTracker.Plugin plugin) {
        for (DistributedJob j : shared.values()) {
            try {
                j.pluginRemoved(plugin);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Job " + j.name() + " did not leave its group cleanly while " + plugin.origin() + " went away", e);
            }
        }
        for (JobInstance i : instances.values()) {
            try {
                i.pluginRemoved(plugin);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Job " + i.name() + " did not stop cleanly while " + plugin.origin() + " went away", e);
            }
        }
    }

    // ---- JobInstance.Platform

    @Override
    public Path workingRoot() {
        return dataDirectory.resolve("work"); // bin/cairn run empties this folder before the framework starts
    }

    @Override
    public PluginTracker plugins() {
        return plugins;
    }

    @Override
    public Duration stopTimeout() {
        return stopTimeout;
    }

    @Override
    public void later(Runnable action) {
        kernelThread.execute(() -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Kernel action failed", e);
            }
        });
    }
}
