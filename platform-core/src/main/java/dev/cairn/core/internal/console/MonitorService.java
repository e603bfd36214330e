package dev.cairn.core.internal.console;

import dev.cairn.api.monitor.CheckpointView;
import dev.cairn.api.monitor.JobView;
import dev.cairn.api.monitor.PlatformMonitor;
import dev.cairn.core.internal.checkpoint.JobMetrics;
import dev.cairn.core.internal.platform.JobInstance;
import dev.cairn.core.internal.platform.JobSupervisor;
import dev.cairn.core.internal.platform.PluginTracker;
import dev.cairn.spi.backend.StateBackend;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The kernel's {@link PlatformMonitor}: jobs from the supervisor, gauges from the installed backends. */
@Component(service = PlatformMonitor.class)
public final class MonitorService implements PlatformMonitor {

    private final JobSupervisor supervisor;
    private final PluginTracker plugins;

    @Activate
    public MonitorService(@Reference JobSupervisor supervisor, @Reference PluginTracker plugins) {
        this.supervisor = supervisor;
        this.plugins = plugins;
    }

    @Override
    public List<JobView> jobs() {
        return views(supervisor);
    }

    /** Every job of {@code supervisor}, in name order. */
    static List<JobView> views(JobSupervisor supervisor) {
        return supervisor.jobs().stream().sorted(Comparator.comparing(JobInstance::name)).map(MonitorService::view).toList();
    }

    static JobView view(JobInstance j) {
        var spec = j.spec();
        JobMetrics m = j.metrics();
        String note = j.reason();
        if (j.refusal() != null) {
            note = (note == null ? "" : note + "; ") + "refused configuration: " + j.refusal();
        }
        List<CheckpointView> checkpoints = m.checkpointHistory().stream()
                .map(c -> new CheckpointView(c.id(), c.completedAt(), c.durationMillis(), c.alignmentNanos() / 1e6, c.stateBytes(), c.writtenBytes(),
                        c.inFlightBytes())).toList();
        return new JobView(j.name(), j.state().name(), spec == null ? null : spec.definition(),
                spec == null ? null : spec.config().backend(), spec == null ? null : spec.config().storage(),
                spec == null ? 0 : spec.config().parallelism(), m.restarts(), m.recordsEmitted(), m.recordsPerSecond(),
                m.completedCheckpoints(), m.failedCheckpoints(), checkpoints, note);
    }

    @Override
    public Map<String, Map<String, Long>> backendGauges() {
        Map<String, Map<String, Long>> gauges = new TreeMap<>();
        for (PluginTracker.Plugin p : plugins.all()) {
            if (p.service() instanceof StateBackend b && !b.metrics().isEmpty()) {
                gauges.put(p.name(), new TreeMap<>(b.metrics()));
            }
        }
        return gauges;
    }
}
