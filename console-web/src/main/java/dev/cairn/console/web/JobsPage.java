package dev.cairn.console.web;

import dev.cairn.api.monitor.CheckpointView;
import dev.cairn.api.monitor.ConsoleCredentials;
import dev.cairn.api.monitor.JobView;
import dev.cairn.api.monitor.PlatformMonitor;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code GET /}: every job with its state, counters and a chart of its recent checkpoints
 * (duration as bars, bytes written as a line), as Flink's checkpoint tab shows them. Rendered on
 * the server, no scripts; it reloads itself every five seconds.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/",
        "osgi.http.whiteboard.servlet.name=cairn-jobs"})
public final class JobsPage extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final transient PlatformMonitor monitor;
    private final transient ConsoleCredentials credentials;

    @Activate
    public JobsPage(@Reference PlatformMonitor monitor, @Reference ConsoleCredentials credentials) {
        this.monitor = monitor;
        this.credentials = credentials;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        WebAccess.secure(response);
        if (!WebAccess.allowed(request, credentials)) {
            WebAccess.refuse(response);
            return;
        }
        String path = request.getPathInfo() == null ? request.getServletPath() : request.getServletPath() + request.getPathInfo();
        if (!"/".equals(path) && !path.isEmpty()) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, "no page " + path);
            return;
        }
        response.setContentType("text/html;charset=utf-8");
        render(monitor.jobs(), response.getWriter());
    }

    static void render(List<JobView> jobs, PrintWriter out) {
        out.println("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">");
        out.println("<title>Cairn: jobs</title><style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
                + "td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}td.n{text-align:right}"
                + "section{margin-top:2em}.note{color:#a40}</style></head><body>");
        out.println("<h1>Cairn</h1><p>Jobs on this platform. <a href=\"/metrics\">Metrics</a> in the Prometheus format.</p>");
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
                out.println("<p>Last checkpoint #" + last.id() + ": " + last.durationMillis() + " ms, wrote " + bytes(last.writtenBytes())
                        + " of " + bytes(last.stateBytes()) + ".</p>");
            }
            out.println("</section>");
        }
        out.println("</body></html>");
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
