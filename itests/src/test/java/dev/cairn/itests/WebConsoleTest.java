package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The web port of a real platform: {@code /metrics} in the Prometheus format and the jobs page,
 * on loopback, for clients that present the console token only.
 */
class WebConsoleTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void metricsGrowWhileTheJobRunsAndNeedTheToken() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", 1_000_000, 300, "");
            p.awaitJobState("offers", "RUNNING");
            PlatformFixture.await(() -> Files.exists(p.data.resolve("web.port")), () -> "data/web.port");
            String base = "http://127.0.0.1:" + Files.readString(p.data.resolve("web.port")).trim();
            String token = Files.readString(p.data.resolve("console.token")).trim();

            HttpResponse<String> anonymous = get(base + "/metrics", null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            assertThat(get(base + "/metrics", "Bearer not-the-token").statusCode()).isEqualTo(401);
            assertThat(get(base + "/", null).statusCode()).isEqualTo(401);

            String first = get(base + "/metrics", "Bearer " + token).body();
            assertThat(first).contains("# TYPE cairn_job_records_total counter").contains("cairn_job_state{job=\"offers\",state=\"RUNNING\"} 1.0");
            double records = sample(first, "cairn_job_records_total");
            double checkpoints = sample(first, "cairn_job_checkpoints_completed_total");
            // the job runs on until both counters have grown: no fixed wait
            PlatformFixture.await(() -> {
                String later = scrape(base, token);
                return sample(later, "cairn_job_records_total") > records && sample(later, "cairn_job_checkpoints_completed_total") > checkpoints
                        && later.contains("cairn_job_last_checkpoint_duration_seconds{job=\"offers\"}");
            }, () -> "records and checkpoints to grow past " + records + " and " + checkpoints);

            // a browser logs in with basic authentication; the password is the token
            HttpResponse<String> page = get(base + "/", "Basic " + Base64.getEncoder().encodeToString(("admin:" + token).getBytes(StandardCharsets.UTF_8)));
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(page.body()).contains("data-job=\"offers\"").contains("class=\"checkpoint-chart\"").doesNotContain(token);
        }
    }

    private static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String scrape(String base, String token) {
        try {
            return get(base + "/metrics", "Bearer " + token).body();
        } catch (Exception e) {
            return ""; // asked again until the deadline
        }
    }

    /** The value of {@code metric} for job offers in a scrape; -1 if absent. */
    private static double sample(String scrape, String metric) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric + "{job=\"offers\"}") + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
