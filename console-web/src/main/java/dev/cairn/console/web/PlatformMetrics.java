package dev.cairn.console.web;

import dev.cairn.api.monitor.CheckpointView;
import dev.cairn.api.monitor.JobView;
import dev.cairn.api.monitor.PlatformMonitor;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The platform's state as Prometheus metrics, read fresh at every scrape. Job metrics carry a
 * {@code job} label; counters cover all runs of a job since the platform started.
 */
final class PlatformMetrics {

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(PlatformMetrics.class.getName());

    private PlatformMetrics() {
    }

    static MetricSnapshots read(PlatformMonitor monitor) {
        List<JobView> jobs = monitor.jobs();
        List<MetricSnapshot> metrics = new ArrayList<>();
        metrics.add(counter("cairn_job_records", "Records the job's sources emitted (replays after a restart count again)", jobs, JobView::records));
        metrics.add(counter("cairn_job_restarts", "Restarts of the job after failures", jobs, JobView::restarts));
        metrics.add(counter("cairn_job_checkpoints_completed", "Checkpoints the job completed", jobs, JobView::checkpointsCompleted));
        metrics.add(counter("cairn_job_checkpoints_failed", "Checkpoints of the job that failed", jobs, JobView::checkpointsFailed));
        metrics.add(gauge("cairn_job_records_per_second", "The sources' rate over the last second or more", jobs, JobView::recordsPerSecond));
        metrics.add(gauge("cairn_job_parallelism", "The job's parallelism", jobs, JobView::parallelism));
        List<JobView> checkpointed = jobs.stream().filter(j -> !j.checkpoints().isEmpty()).toList();
        metrics.add(gauge("cairn_job_last_checkpoint_duration_seconds", "How long the last completed checkpoint took", checkpointed,
                j -> last(j).durationMillis() / 1000.0));
        metrics.add(gauge("cairn_job_last_checkpoint_alignment_seconds",
                "The longest barrier alignment among the subtasks in the last completed checkpoint", checkpointed,
                j -> last(j).alignmentMillis() / 1000.0));
        metrics.add(gauge("cairn_job_last_checkpoint_state_bytes", "Bytes of every file the last completed checkpoint references", checkpointed,
                j -> last(j).stateBytes()));
        metrics.add(gauge("cairn_job_last_checkpoint_written_bytes", "Bytes the last completed checkpoint wrote itself", checkpointed,
                j -> last(j).writtenBytes()));
        metrics.add(gauge("cairn_job_last_checkpoint_in_flight_bytes", "Bytes of queued records the last completed checkpoint holds"
                + " (unaligned checkpoints)", checkpointed, j -> last(j).inFlightBytes()));
        metrics.add(gauge("cairn_job_last_checkpoint_id", "The id of the last completed checkpoint", checkpointed, j -> last(j).id()));
        GaugeSnapshot.Builder state = GaugeSnapshot.builder().name("cairn_job_state").help("1 for the job's current state");
        for (JobView j : jobs) {
            state.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("job", j.name(), "state", j.state())).value(1).build());
        }
        metrics.add(state.build());
        for (Map.Entry<String, Map<String, Long>> backend : monitor.backendGauges().entrySet()) {
            java.util.Set<String> names = new java.util.HashSet<>();
            for (Map.Entry<String, Long> g : backend.getValue().entrySet()) {
                String name = "cairn_backend_" + sanitize(g.getKey());
                try {
                    if (!names.add(name)) {
                        throw new IllegalArgumentException("another gauge of the backend has the same name");
                    }
                    metrics.add(GaugeSnapshot.builder().name(name).help("Backend gauge " + g.getKey())
                            .dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("backend", backend.getKey())).value(g.getValue()).build())
                            .build());
                } catch (IllegalArgumentException e) {
                    // a plugin's gauge the format cannot carry must not take the platform's metrics with it
                    LOG.fine(() -> "Backend " + backend.getKey() + "'s gauge " + g.getKey() + " is left out of /metrics: " + e.getMessage());
                }
            }
        }
        return new MetricSnapshots(merge(metrics));
    }

    private static CheckpointView last(JobView j) {
        return j.checkpoints().get(j.checkpoints().size() - 1);
    }

    private static CounterSnapshot counter(String name, String help, List<JobView> jobs, ToDoubleFunction<JobView> value) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        for (JobView j : jobs) {
            b.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("job", j.name())).value(value.applyAsDouble(j)).build());
        }
        return b.build();
    }

    private static GaugeSnapshot gauge(String name, String help, List<JobView> jobs, ToDoubleFunction<JobView> value) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (JobView j : jobs) {
            b.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("job", j.name())).value(value.applyAsDouble(j)).build());
        }
        return b.build();
    }

    /** Two backends reporting the same gauge become one metric with two data points. */
    private static List<MetricSnapshot> merge(List<MetricSnapshot> metrics) {
        Map<String, MetricSnapshot> byName = new java.util.LinkedHashMap<>();
        for (MetricSnapshot m : metrics) {
            MetricSnapshot earlier = byName.get(m.getMetadata().getName());
            if (earlier instanceof GaugeSnapshot a && m instanceof GaugeSnapshot b) {
                GaugeSnapshot.Builder joined = GaugeSnapshot.builder().name(a.getMetadata().getName()).help(a.getMetadata().getHelp());
                a.getDataPoints().forEach(joined::dataPoint);
                b.getDataPoints().forEach(joined::dataPoint);
                byName.put(m.getMetadata().getName(), joined.build());
            } else {
                byName.put(m.getMetadata().getName(), m);
            }
        }
        return new ArrayList<>(byName.values());
    }

    /** A gauge name as Prometheus allows it: {@code block-cache-used-bytes} becomes {@code block_cache_used_bytes}. */
    static String sanitize(String name) {
        return name.replaceAll("[^a-zA-Z0-9_]", "_");
    }
}
