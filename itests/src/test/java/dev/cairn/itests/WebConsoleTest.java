package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
            String base = p.webBase();
            String token = p.consoleToken();

            HttpResponse<String> anonymous = get(base + "/metrics", null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            assertThat(get(base + "/metrics", "Bearer not-the-token").statusCode()).isEqualTo(401);
            HttpResponse<String> toLogin = get(base + "/", null);
            assertThat(toLogin.statusCode()).isEqualTo(302);
            assertThat(toLogin.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));

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
            // the keyed operator reads four channels (two sources, two subtasks each): its barriers are aligned
            assertThat(sample(scrape(base, token), "cairn_job_last_checkpoint_alignment_seconds")).isGreaterThanOrEqualTo(0);

            // a browser logs in with basic authentication; the password is the token
            HttpResponse<String> page = get(base + "/", "Basic " + Base64.getEncoder().encodeToString(("admin:" + token).getBytes(StandardCharsets.UTF_8)));
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(page.body()).contains("data-job=\"offers\"").contains("class=\"checkpoint-chart\"").doesNotContain(token);
        }
    }

    @Test
    void aBrowserLogsInChangesAPropertySeesARefusalAndDiscardsASavepoint() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", 1_000_000, 300, "");
            p.awaitJobState("offers", "RUNNING");
            String base = p.webBase();
            String token = p.consoleToken();

            HttpResponse<String> wrong = post(base + "/login", null, "token=not-it");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).contains("That is not the console token.");
            HttpResponse<String> login = post(base + "/login", null, "token=" + token);
            assertThat(login.statusCode()).isEqualTo(302);
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict");
            String session = cookie.substring(0, cookie.indexOf(';'));

            String page = getWithCookie(base + "/", session).body();
            Matcher csrfField = Pattern.compile("name=\"csrf\" value=\"([0-9a-f]+)\"").matcher(page);
            assertThat(csrfField.find()).as("a form token on the page").isTrue();
            String csrf = csrfField.group(1);
            assertThat(page).contains("data-job=\"offers\"").contains("class=\"snapshots\"").doesNotContain(token);

            // a refused value: the console's message, nothing changed
            assertThat(post(base + "/command", session, "csrf=" + csrf + "&action=set&job=offers&key=job.max-restarts&value=-1").statusCode())
                    .isEqualTo(302);
            assertThat(getWithCookie(base + "/", session).body()).contains("class=\"failed\"").contains("job.max-restarts=-1 is not allowed");
            assertThat(p.job("offers")).containsEntry("state", "RUNNING");

            // without the form token, or with basic credentials a browser would send to any site's form: refused
            assertThat(post(base + "/command", session, "action=stop&job=offers").statusCode()).isEqualTo(403);
            HttpResponse<String> basic = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/command"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("x:" + token).getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("action=stop&job=offers")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(basic.statusCode()).isEqualTo(403);
            assertThat(p.job("offers")).containsEntry("state", "RUNNING");

            // take a savepoint, then discard it from the page
            post(base + "/command", session, "csrf=" + csrf + "&action=savepoint&job=offers");
            String taken = getWithCookie(base + "/", session).body();
            Matcher savepoint = Pattern.compile("savepoint (offers/savepoints/[A-Za-z0-9._-]+)").matcher(taken);
            assertThat(savepoint.find()).as("the savepoint's path on the page: " + taken).isTrue();
            String path = savepoint.group(1);
            assertThat(p.data.resolve("snapshots").resolve(path).resolve("_metadata")).exists();
            WebConsoleBrowserTest.awaitNewerCheckpoint(p); // the newest snapshot is the job's recovery point, which is never deleted
            post(base + "/command", session, "csrf=" + csrf + "&action=discard&job=offers&path=" + path);
            assertThat(getWithCookie(base + "/", session).body()).contains("deleted savepoint " + path);
            assertThat(p.data.resolve("snapshots").resolve(path)).doesNotExist();
            // an accepted one, last: it moves the job to a new run
            post(base + "/command", session, "csrf=" + csrf + "&action=set&job=offers&key=job.max-restarts&value=7");
            assertThat(getWithCookie(base + "/", session).body()).contains("class=\"done\"").contains("updated offers");
            assertThat(p.text("cairn:config offers")).containsPattern("job\\.max-restarts\\s.*\\s7\\s");

            post(base + "/logout", session, "csrf=" + csrf);
            assertThat(getWithCookie(base + "/", session).statusCode()).isEqualTo(302);
        }
    }

    @Test
    void felixsWebConsoleTakesCairnsLoginOnlyOffersConfigurationOnlyAndKeepsFilesAsWritten() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            Path out = p.root.resolve("out-filejob");
            Path file = p.etc.resolve("cairn.job-filejob.cfg");
            String written = "# written by hand\njob.definition = offer-enrichment\nparam.output = " + out + "\nparam.events = 1000000\nparam.rate = 200\n";
            Files.writeString(file, written);
            p.awaitJobState("filejob", "RUNNING");
            String console = p.webBase() + "/system/console";
            String bearer = "Bearer " + p.consoleToken();

            HttpResponse<String> anonymous = get(console + "/configMgr", null);
            assertThat(anonymous.statusCode()).isEqualTo(302);
            assertThat(anonymous.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login?then=%2Fsystem%2Fconsole%2FconfigMgr"));
            // its own user, and basic credentials at all (a browser would send them with another site's form): not taken
            for (String basic : new String[] {"admin:admin", "admin:" + p.consoleToken()}) {
                String header = "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8));
                assertThat(get(console + "/configMgr", header).statusCode()).as(basic.substring(0, 6)).isEqualTo(302);
            }
            assertThat(get(console + "/configMgr", bearer).statusCode()).isEqualTo(200);
            // pages that install bundles or stop the framework run any code, status pages show the whole platform: not served
            for (String page : new String[] {"/bundles", "/services", "/vmstat", "/status-Configurations", "/status-Threads",
                    "/status-System%20Properties"}) {
                assertThat(get(console + page, bearer).statusCode()).as(page).isEqualTo(404);
            }
            // the platform's own services change only in their files: not here, not targeted, not through bin/cairn
            String bundles = "apply=true&action=ajaxConfigManager&propertylist=plugins&plugins=org.apache.felix.webconsole.internal.core.BundlesServlet";
            for (String pid : new String[] {"org.apache.felix.webconsole.internal.servlet.OsgiManager",
                    "org.apache.felix.webconsole.internal.servlet.OsgiManager%7Corg.apache.felix.webconsole", "org.apache.felix.http"}) {
                HttpResponse<String> refusedPid = postBearer(console + "/configMgr/" + pid, bearer, bundles);
                assertThat(refusedPid.statusCode()).as(pid).isEqualTo(400);
            }
            assertThat(p.safeText("cairn:unset org.apache.felix.webconsole.internal.servlet.OsgiManager plugins"))
                    .contains("configures the platform's own org.apache.felix.webconsole");
            assertThat(get(console + "/bundles", bearer).statusCode()).isEqualTo(404);
            assertThat(get(console + "/configMgr", bearer).body()).doesNotContain("OsgiManager");

            // a file-defined job: deleting it here is refused; a change keeps the file as written, with the change added
            HttpResponse<String> delete = postBearer(console + "/configMgr/cairn.job~filejob", bearer, "apply=true&delete=true");
            assertThat(delete.statusCode()).isEqualTo(400);
            assertThat(delete.body()).contains("is defined in " + file + ": delete that file to remove it");
            HttpResponse<String> refused = postBearer(console + "/configMgr/cairn.job~filejob", bearer,
                    "apply=true&action=ajaxConfigManager&propertylist=job.definition,job.parallelism,param.output&job.definition=offer-enrichment&job.parallelism=0");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("job.parallelism=0 is not allowed");
            assertThat(Files.readString(file)).isEqualTo(written);
            // another factory named, or another file to write back to: the stored ones count
            HttpResponse<String> otherFactory = postBearer(console + "/configMgr/cairn.job~filejob", bearer,
                    "apply=true&action=ajaxConfigManager&factoryPid=undescribed&propertylist=job.definition,job.parallelism"
                            + "&job.definition=offer-enrichment&job.parallelism=0");
            assertThat(otherFactory.statusCode()).isEqualTo(400);
            Path kernelFile = p.etc.resolve("cairn.kernel.cfg");
            String kernel = Files.readString(kernelFile);
            HttpResponse<String> accepted = postBearer(console + "/configMgr/cairn.job~filejob", bearer,
                    "apply=true&action=ajaxConfigManager&propertylist=job.definition,job.parallelism,felix.fileinstall.filename"
                            + "&job.definition=offer-enrichment&job.parallelism=2&felix.fileinstall.filename=" + kernelFile.toUri());
            assertThat(accepted.statusCode()).isEqualTo(302);
            PlatformFixture.await(() -> {
                try {
                    return Files.readString(file).equals(written + "job.parallelism = 2\n");
                } catch (java.io.IOException e) {
                    return false;
                }
            }, () -> "the change in " + file);
            PlatformFixture.await(() -> Integer.valueOf(2).equals(p.jobValue("filejob", "parallelism")) && "RUNNING".equals(p.jobValue("filejob", "state")),
                    () -> "filejob rescaled to 2: " + p.safeJob("filejob"));
            assertThat(Files.readString(kernelFile)).isEqualTo(kernel);
        }
    }

    @Test
    void felixsWebConsoleTakesChangesFromItsOwnPagesOnly() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", 1_000_000, 300, "");
            p.awaitJobState("offers", "RUNNING");
            String base = p.webBase();
            HttpResponse<String> login = post(base + "/login", null, "token=" + p.consoleToken());
            String session = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            String url = base + "/system/console/configMgr/cairn.job~offers";
            String change = "apply=true&action=ajaxConfigManager&propertylist=job.definition,job.max-restarts"
                    + "&job.definition=offer-enrichment&job.max-restarts=9";
            // another site's page can make the browser send the cookie (SameSite counts other ports as the same site)
            for (String origin : new String[] {null, "http://127.0.0.1:1", "http://evil.example"}) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Cookie", session)
                        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(change));
                if (origin != null) {
                    request.header("Origin", origin);
                }
                assertThat(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as("origin " + origin).isEqualTo(403);
            }
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(url + "?post=true&" + change)).header("Cookie", session).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("a change in a GET").isEqualTo(403);
            assertThat(p.text("cairn:config offers")).doesNotContainPattern("job\\.max-restarts\\s.*\\s9\\s");
            // the console's own page: its origin
            HttpResponse<String> own = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", session).header("Origin", base)
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(change)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(own.statusCode()).isEqualTo(302);
            PlatformFixture.await(() -> p.safeText("cairn:config offers").matches("(?s).*job\\.max-restarts\\s[^\\n]*\\s9\\s.*"),
                    () -> p.safeText("cairn:config offers"));
        }
    }

    private static HttpResponse<String> postBearer(String url, String authorization, String form) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", authorization).POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String cookie, String form) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> getWithCookie(String url, String cookie) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie).GET().build(), HttpResponse.BodyHandlers.ofString());
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
