package dev.cairn.console.web;

import dev.cairn.api.monitor.ConsoleCredentials;
import dev.cairn.api.monitor.PlatformMonitor;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code GET /metrics}: the Prometheus text format, for a scraper that presents the console token (or a logged-in browser). */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/metrics",
        "osgi.http.whiteboard.servlet.name=cairn-metrics"})
public final class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final transient PlatformMonitor monitor;
    private final transient ConsoleCredentials credentials;
    private final transient WebSessions sessions;
    private final transient PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    @Activate
    public MetricsServlet(@Reference PlatformMonitor monitor, @Reference ConsoleCredentials credentials, @Reference WebSessions sessions) {
        this.monitor = monitor;
        this.credentials = credentials;
        this.sessions = sessions;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        WebAccess.secure(response);
        if (!WebAccess.mayRead(request, credentials, sessions)) {
            WebAccess.refuse(response);
            return;
        }
        response.setContentType(writer.getContentType());
        try (OutputStream out = response.getOutputStream()) {
            writer.write(out, PlatformMetrics.read(monitor));
        }
    }
}
