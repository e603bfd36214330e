package dev.cairn.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.monitor.CheckpointView;
import dev.cairn.api.monitor.JobView;
import dev.cairn.api.monitor.PlatformMonitor;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlatformMetricsTest {

    private static final JobView ORDERS = new JobView("orders", "RUNNING", "offer-enrichment", "rocksdb", "file", 2, 1, 12_345, 250.5,
            7, 1, List.of(new CheckpointView(6, 1_000, 120, 3.0, 4_096, 512), new CheckpointView(7, 2_000, 250, 12.5, 8_192, 1_024, 300)), null);
    private static final JobView IDLE = new JobView("idle", "STOPPED", "offer-enrichment", "heap", "file", 1, 0, 0, 0, 0, 0, List.of(), null);

    private static String scrape(PlatformMonitor monitor) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, PlatformMetrics.read(monitor));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static PlatformMonitor monitor(List<JobView> jobs, Map<String, Map<String, Long>> gauges) {
        return new PlatformMonitor() {
            @Override
            public List<JobView> jobs() {
                return jobs;
            }

            @Override
            public Map<String, Map<String, Long>> backendGauges() {
                return gauges;
            }
        };
    }

    @Test
    void jobCountersAndTheLastCheckpointAreLabelledByJob() throws Exception {
        String text = scrape(monitor(List.of(IDLE, ORDERS), Map.of()));
        assertThat(text).contains("# TYPE cairn_job_records_total counter")
                .contains("cairn_job_records_total{job=\"orders\"} 12345.0")
                .contains("cairn_job_records_total{job=\"idle\"} 0.0")
                .contains("cairn_job_checkpoints_completed_total{job=\"orders\"} 7.0")
                .contains("cairn_job_checkpoints_failed_total{job=\"orders\"} 1.0")
                .contains("cairn_job_restarts_total{job=\"orders\"} 1.0")
                .contains("cairn_job_records_per_second{job=\"orders\"} 250.5")
                .contains("cairn_job_last_checkpoint_duration_seconds{job=\"orders\"} 0.25")
                .contains("cairn_job_last_checkpoint_written_bytes{job=\"orders\"} 1024.0")
                .contains("cairn_job_last_checkpoint_alignment_seconds{job=\"orders\"} 0.0125")
                .contains("cairn_job_last_checkpoint_in_flight_bytes{job=\"orders\"} 300.0")
                .contains("cairn_job_last_checkpoint_id{job=\"orders\"} 7.0")
                .contains("cairn_job_state{job=\"orders\",state=\"RUNNING\"} 1.0");
        // a job without a checkpoint has no last-checkpoint sample rather than a made-up zero
        assertThat(text).doesNotContain("cairn_job_last_checkpoint_duration_seconds{job=\"idle\"}");
    }

    @Test
    void aGaugeTheFormatCannotCarryIsLeftOutAndTheRestStays() throws Exception {
        String text = scrape(monitor(List.of(ORDERS), Map.of("odd", new java.util.TreeMap<>(Map.of("a.b", 1L, "a-b", 2L, "fine", 3L)))));
        assertThat(text).containsOnlyOnce("cairn_backend_a_b{backend=\"odd\"}").contains("cairn_backend_fine{backend=\"odd\"} 3.0")
                .contains("cairn_job_records_total{job=\"orders\"} 12345.0");
    }

    @Test
    void backendGaugesOfSeveralBackendsShareOneMetric() throws Exception {
        String text = scrape(monitor(List.of(), Map.of("rocksdb", Map.of("block-cache-used-bytes", 10L),
                "rocksdb-next", Map.of("block-cache-used-bytes", 20L))));
        assertThat(text).containsOnlyOnce("# TYPE cairn_backend_block_cache_used_bytes gauge")
                .contains("cairn_backend_block_cache_used_bytes{backend=\"rocksdb\"} 10.0")
                .contains("cairn_backend_block_cache_used_bytes{backend=\"rocksdb-next\"} 20.0");
    }
}
