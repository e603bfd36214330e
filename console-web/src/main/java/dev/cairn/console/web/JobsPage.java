package dev.cairn.console.web;

import dev.cairn.api.monitor.CheckpointView;
import dev.cairn.api.monitor.ConsoleCommands;
import dev.cairn.api.monitor.ConsoleCredentials;
import dev.cairn.api.monitor.JobView;
import dev.cairn.api.monitor.PlatformMonitor;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code GET /}: every job with its state, counters, a chart of its recent checkpoints (duration
 * as bars, bytes written as a line, as Flink's checkpoint tab shows them), its snapshots, and
 * forms that change its configuration, stop or start it, take or discard a savepoint (through
 * {@link CommandForm}); then the installed plugins with their versions and gauges. Rendered on
 * the server, no scripts.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/",
        "osgi.http.whiteboard.servlet.name=cairn-jobs"})
public final class JobsPage extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final transient PlatformMonitor monitor;
    private final transient ConsoleCredentials credentials;
    private final transient ConsoleCommands commands;
    private final transient WebSessions sessions;

    @Activate
    public JobsPage(@Reference PlatformMonitor monitor, @Reference ConsoleCredentials credentials, @Reference ConsoleCommands commands,
                    @Reference WebSessions sessions) {
        this.monitor = monitor;
        this.credentials = credentials;
        this.commands = commands;
        this.sessions = sessions;
    }

    /** What a page shows besides the jobs: their snapshot listings, and for a session its form token and last command's result. */
    record Extras(Map<String, String> snapshots, String plugins, String csrf, String flash, boolean flashFailed) {
        static final Extras NONE = new Extras(Map.of(), null, null, null, false);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        WebAccess.secure(response);
        if (!WebAccess.mayRead(request, credentials, sessions)) {
            response.sendRedirect("/login"); // a browser logs in; scripts send the token in a header
            return;
        }
        String path = request.getPathInfo() == null ? request.getServletPath() : request.getServletPath() + request.getPathInfo();
        if (!"/".equals(path) && !path.isEmpty()) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, "no page " + path);
            return;
        }
        List<JobView> jobs = monitor.jobs();
        Map<String, String> snapshots = new LinkedHashMap<>();
        for (JobView j : jobs) {
            ConsoleCommands.Result listed = commands.execute("snapshots " + j.name());
            snapshots.put(j.name(), listed.output());
        }
        String plugins = commands.execute("plugins").output();
        Extras extras = sessions.find(request).map(s -> {
            Extras e = new Extras(snapshots, plugins, s.csrf, s.flash, s.flashFailed);
            s.flash = null; // shown once
            return e;
        }).orElse(new Extras(snapshots, plugins, null, null, false));
        response.setContentType("text/html;charset=utf-8");
        render(jobs, extras, response.getWriter());
    }

    static void render(List<JobView> jobs, Extras extras, PrintWriter out) {
        out.println("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        out.println("<title>Cairn: jobs</title><style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
                + "td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}td.n{text-align:right}"
                + "section{margin-top:2em}.note{color:#a40}.failed{color:#b00}.done{color:#070}form{display:inline-block;margin:.3em 1em .3em 0}"
                + "pre{background:#f6f6f6;padding:.5em;overflow-x:auto}</style></head><body>");
        out.println("<h1>Cairn</h1><p>Jobs on this platform (<a href=\"/\">reload</a>). <a href=\"/metrics\">Metrics</a> in the Prometheus format.</p>");
        if (extras.csrf() != null) {
            out.println("<form method=\"post\" action=\"/logout\">" + csrf(extras) + "<button type=\"submit\" id=\"logout\">Log out</button></form>");
        }
        if (extras.flash() != null) {
            out.println("<pre id=\"result\" class=\"" + (extras.flashFailed() ? "failed" : "done") + "\">" + html(extras.flash()) + "</pre>");
        }
        out.println("<table id=\"jobs\"><tr><th>Job</th><th>State</th><th>Definition</th><th>Backend</th><th>Storage</th>"
                + "<th>Parallelism</th><th>Records</th><th>Records/s</th><th>Restarts</th><th>Checkpoints</th><th>Failed</th></tr>");
        for (JobView j : jobs) {
            out.println("<tr class=\"job\" data-job=\"" + html(j.name()) + "\"><td><a href=\"#job-" + html(j.name()) + "\">"
                    + html(j.name()) + "</a></td><td class=\"state\">" + html(j.state()) + "</td><td>" + html(j.definition())
                    + "</td><td>" + html(j.backend()) + "</td><td>" + html(j.storage()) + "</td><td class=\"n\">" + j.parallelism()
                    + "</td><td class=\"n records\">" + String.format(Locale.ROOT, "%,d", j.records()) + "</td><td class=\"n\">"
                    + String.format(Locale.ROOT, "%,.0f", j.recordsPerSecond()) + "</td><td class=\"n\">" + j.restarts()
                    + "</td><td class=\"n completed\">" + j.checkpointsCompleted() + "</td><td class=\"n\">" + j.checkpointsFailed() + "</td></tr>");
        }
        out.println("</table>");
        for (JobView j : jobs) {
            out.println("<section id=\"job-" + html(j.name()) + "\"><h2>" + html(j.name()) + "</h2>");
            if (j.note() != null) {
                out.println("<p class=\"note\">" + html(j.note()) + "</p>");
            }
            out.println(CheckpointChart.svg(j.checkpoints()));
            if (!j.checkpoints().isEmpty()) {
                CheckpointView last = j.checkpoints().get(j.checkpoints().size() - 1);
                out.println("<p>Last checkpoint #" + last.id() + ": " + last.durationMillis() + " ms (alignment "
                        + String.format(java.util.Locale.ROOT, "%.1f", last.alignmentMillis()) + " ms), wrote " + bytes(last.writtenBytes())
                        + " of " + bytes(last.stateBytes()) + ".</p>");
            }
            String listed = extras.snapshots().get(j.name());
            if (listed != null) {
                out.println("<h3>Snapshots</h3><pre class=\"snapshots\">" + html(listed) + "</pre>");
            }
            if (extras.csrf() != null) {
                forms(j.name(), extras, out);
            }
            out.println("</section>");
        }
        if (extras.plugins() != null) {
            out.println("<section id=\"plugins\"><h2>Plugins</h2><pre class=\"plugins\">" + html(extras.plugins()) + "</pre></section>");
        }
        out.println("</body></html>");
    }

    /** The forms of one job; each carries the session's form token. */
    private static void forms(String job, Extras extras, PrintWriter out) {
        String open = "<form method=\"post\" action=\"/command\">" + csrf(extras) + "<input type=\"hidden\" name=\"job\" value=\"" + html(job) + "\">";
        out.println(open + "<input type=\"hidden\" name=\"action\" value=\"set\"><label>Property <input name=\"key\" class=\"key\" "
                + "placeholder=\"job.parallelism\"></label> <label>value <input name=\"value\" class=\"value\"></label> "
                + "<button type=\"submit\" class=\"set\">Set</button></form>");
        out.println(open + "<input type=\"hidden\" name=\"action\" value=\"discard\"><label>Savepoint <input name=\"path\" class=\"path\" "
                + "size=\"40\" placeholder=\"" + html(job) + "/savepoints/…\"></label> <button type=\"submit\" class=\"discard\">Discard</button></form>");
        for (String action : List.of("savepoint", "stop", "start")) {
            out.println(open + "<input type=\"hidden\" name=\"action\" value=\"" + action + "\"><button type=\"submit\" class=\"" + action
                    + "\">" + Character.toUpperCase(action.charAt(0)) + action.substring(1) + "</button></form>");
        }
    }

    private static String csrf(Extras extras) {
        return "<input type=\"hidden\" name=\"csrf\" value=\"" + html(extras.csrf()) + "\">";
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        int unit = (63 - Long.numberOfLeadingZeros(n)) / 10;
        return String.format(Locale.ROOT, "%.1f %siB", n / (double) (1L << (unit * 10)), " KMGTPE".charAt(unit));
    }

    /** Text as HTML: no markup, whatever a job name, a note or a refused value holds. */
    static String html(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c < 0x20 && c != '\n' && c != '\t' ? '?' : c);
            }
        }
        return b.toString();
    }
}
