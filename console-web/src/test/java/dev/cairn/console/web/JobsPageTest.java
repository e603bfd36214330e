package dev.cairn.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.monitor.CheckpointView;
import dev.cairn.api.monitor.JobView;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobsPageTest {

    private static String render(List<JobView> jobs) {
        StringWriter out = new StringWriter();
        JobsPage.render(jobs, JobsPage.Extras.NONE, new PrintWriter(out));
        return out.toString();
    }

    @Test
    void namesAndNotesAreTextNotMarkup() {
        JobView hostile = new JobView("<script>alert(1)</script>", "REFUSED", null, null, null, 0, 0, 0, 0, 0, 0, List.of(),
                "refused configuration: job.parallelism=\"><img src=x onerror=alert(1)> is not allowed");
        String page = render(List.of(hostile));
        assertThat(page).doesNotContain("<script>alert").doesNotContain("<img")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;").contains("&quot;&gt;&lt;img src=x");
    }

    @Test
    void aJobWithCheckpointsGetsAChartWithABarPerCheckpoint() {
        List<CheckpointView> checkpoints = List.of(new CheckpointView(1, 1_000, 100, 0.5, 2_048, 2_048),
                new CheckpointView(2, 2_000, 300, 150.0, 3_072, 1_024), new CheckpointView(3, 3_000, 200, 40.0, 3_072, 512));
        String page = render(List.of(new JobView("orders", "RUNNING", "offer-enrichment", "heap", "file", 2, 0, 42_000, 1_000, 3, 0,
                checkpoints, null)));
        assertThat(page).contains("class=\"checkpoint-chart\"").contains("checkpoints #1 to #3")
                .contains("#2: 300 ms (alignment 150.0 ms), wrote 1.0 KiB of 3.0 KiB").contains("42,000")
                .contains("Last checkpoint #3: 200 ms (alignment 40.0 ms)");
        assertThat(page.split("class=\"bar\"", -1)).hasSize(4);
        assertThat(page.split("class=\"alignment\"", -1)).hasSize(4);
        // checkpoint 2 spent half its time aligning: its dark part is half its bar
        java.util.regex.Matcher heights = java.util.regex.Pattern.compile("class=\"(?:bar|alignment)\"[^>]* height=\"([0-9.]+)\"").matcher(page);
        List<Double> h = new java.util.ArrayList<>();
        while (heights.find()) {
            h.add(Double.parseDouble(heights.group(1)));
        }
        assertThat(h).hasSize(6);
        assertThat(h.get(3)).isCloseTo(h.get(2) / 2, org.assertj.core.data.Offset.offset(0.1));
    }

    @Test
    void aSessionGetsFormsCarryingItsTokenAndTheLastResultOnce() {
        StringWriter out = new StringWriter();
        JobView job = new JobView("orders", "RUNNING", "offer-enrichment", "heap", "file", 2, 0, 0, 0, 0, 0, List.of(), null);
        JobsPage.render(List.of(job), new JobsPage.Extras(java.util.Map.of("orders", "<savepoint> orders/savepoints/s1"),
                "backend  heap  dev.cairn.backend.heap  0.1.0  orders  -", "f00d", "error: job.parallelism=0 is not allowed", true),
                new PrintWriter(out));
        String page = out.toString();
        assertThat(page.split("name=\"csrf\" value=\"f00d\"", -1)).hasSize(7); // logout and five forms of the job
        assertThat(page).contains("<pre id=\"result\" class=\"failed\">error: job.parallelism=0 is not allowed</pre>")
                .contains("&lt;savepoint&gt; orders/savepoints/s1")
                .contains("<pre class=\"plugins\">backend  heap  dev.cairn.backend.heap  0.1.0  orders  -</pre>");
        // without a session: no forms, no token
        assertThat(render(List.of(job))).doesNotContain("name=\"csrf\"").doesNotContain("action=\"/command\"");
    }

    @Test
    void aJobWithoutCheckpointsSaysSo() {
        String page = render(List.of(new JobView("new", "WAITING", "offer-enrichment", "heap", "file", 1, 0, 0, 0, 0, 0, List.of(), null)));
        assertThat(page).contains("No checkpoint completed yet.").doesNotContain("checkpoint-chart");
    }
}
