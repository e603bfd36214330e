package dev.cairn.console.web;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.osgi.service.component.annotations.Component;

/**
 * Keeps the web console to its configuration page: its status pages (threads, system and
 * framework properties, bundles, services, every configuration) come from inventory printers
 * that its {@code plugins} setting does not switch off.
 */
@Component(service = Filter.class, property = {"osgi.http.whiteboard.filter.regex=/status-.*",
        "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=org.apache.felix.webconsole)"})
public final class StatusPagesOff implements Filter {

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        ((HttpServletResponse) response).sendError(HttpServletResponse.SC_NOT_FOUND);
    }
}
