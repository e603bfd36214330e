package dev.cairn.core.internal.console;

import dev.cairn.api.monitor.CheckpointView;
import dev.cairn.api.monitor.JobView;
import dev.cairn.api.monitor.PlatformMonitor;
import dev.cairn.core.internal.checkpoint.JobMetrics;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.platform.DistributedJob;
import dev.cairn.core.internal.platform.JobInstance;
import dev.cairn.core.internal.platform.JobSpec;
import dev.cairn.core.internal.platform.JobSupervisor;
import dev.cairn.core.internal.platform.PluginTracker;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.placement.Membership;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
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
        List<JobView> views = new ArrayList<>(supervisor.jobs().stream().map(MonitorService::view).toList());
        supervisor.sharedJobs().forEach(d -> views.add(view(d)));
        views.sort(Comparator.comparing(JobView::name));
        return views;
    }

    /**
     * A job shared by partition: its member here, the ranges here and, as its group reports them,
     * every member's ranges (its ranges running here are jobs of their own, with their checkpoints).
     */
    static JobView view(DistributedJob d) {
        JobSpec spec = d.spec();
        String note = d.waitingFor();
        Optional<Membership> membership = d.membership();
        if (membership.isPresent()) {
            String owners;
            try {
                owners = membership.get().owners().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", "));
            } catch (Exception e) {
                owners = "unknown (" + e + ")";
            }
            note = "member " + membership.get().memberName() + ", ranges here " + d.partitionsHere() + "; owners: " + owners
                    + (note == null ? "" : "; " + note);
        }
        if (d.refusal() != null) {
            note = (note == null ? "" : note + "; ") + "refused configuration: " + d.refusal();
        }
        return new JobView(d.name(), membership.isPresent() ? "SHARED" : "WAITING", spec.definition(), spec.config().backend(),
                spec.config().storage(), spec.config().parallelism(), 0, 0, 0, 0, 0, List.of(), note);
    }

    static JobView view(JobInstance j) {
        var spec = j.spec();
        JobMetrics m = j.metrics();
        String note = j.reason();
        if (spec != null && spec.inputPartition() >= 0) {
            JobMaster master = j.master();
            long lag = master == null ? -1 : master.pendingRecords();
            String range = "range " + spec.inputPartition() + " of shared job " + spec.sharedJobName() + (lag < 0 ? "" : ", lag " + lag);
            note = note == null ? range : range + "; " + note;
        }
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
