package dev.cairn.console.web;

import dev.cairn.api.monitor.ConsoleCredentials;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Who may use Felix's web console ({@code /system/console}): a browser with a session opened on
 * Cairn's login page (changes only from the console's own pages: its forms carry no token of their
 * own), or a script with the console token as a bearer token. Basic credentials
 * are not taken there: a browser would send them along with another site's form, and the web
 * console's forms change configurations. Its own user ({@code admin/admin} by default) never
 * works: {@code conf/config.properties} makes this provider the one the web console requires.
 */
@Component(service = SecurityProvider.class, property = SecurityProvider.PROPERTY_ID + "=" + WebConsoleSecurity.ID)
public final class WebConsoleSecurity implements SecurityProvider {

    static final String ID = "cairn";
    private static final String USER = "cairn";

    private final ConsoleCredentials credentials;
    private final WebSessions sessions;

    /**
     * @param checks not used here: the console opens only while every change on it can go through
     *               the console's checks
     */
    @Activate
    public WebConsoleSecurity(@Reference ConsoleCredentials credentials, @Reference WebSessions sessions,
                              @Reference(service = ConfigurationHandler.class, target = "(component.name=dev.cairn.console.web.CheckedConfigurationHandler)")
                              ConfigurationHandler checks) {
        this.credentials = credentials;
        this.sessions = sessions;
    }

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        String header = request.getHeader("Authorization");
        boolean bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
        boolean crossSite = !bearer && changes(request) && !sameOrigin(request);
        if (!crossSite && (bearer ? credentials.accepts(header.substring(7).trim()) : sessions.find(request).isPresent())) {
            WebAccess.secureAllowingInlineScripts(response);
            return USER;
        }
        try {
            if (crossSite) {
                response.sendError(HttpServletResponse.SC_FORBIDDEN, "a change needs a request from this console's own pages");
            } else if (bearer) {
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "the console token is required");
            } else {
                String then = request.getRequestURI();
                response.sendRedirect("/login?then=" + URLEncoder.encode(then, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return null;
    }

    /**
     * Whether the request may change something: the web console's forms post, and its
     * configuration page also applies changes asked for in a GET's parameters.
     */
    private static boolean changes(HttpServletRequest request) {
        String method = request.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return true;
        }
        for (String action : new String[] {"apply", "delete", "unbind", "create"}) {
            if (request.getParameter(action) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a browser sent the request from this console's own pages: another site's page can
     * make the browser send the session cookie (SameSite counts other ports of this host as the
     * same site), but not an {@code Origin} or {@code Sec-Fetch-Site} saying it is this origin.
     */
    private static boolean sameOrigin(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        if (origin != null) {
            return origin.equals(request.getScheme() + "://" + request.getHeader("Host"));
        }
        return "same-origin".equals(request.getHeader("Sec-Fetch-Site"));
    }

    @Override
    public boolean authorize(Object user, String role) {
        return USER.equals(user);
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        sessions.find(request).ifPresent(s -> sessions.close(s, response));
    }
}
