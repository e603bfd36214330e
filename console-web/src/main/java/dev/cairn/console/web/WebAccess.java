package dev.cairn.console.web;

import dev.cairn.api.monitor.ConsoleCredentials;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Who may read the web pages and metrics: whoever presents the console token, as a bearer token
 * (Prometheus' {@code authorization} setting), as the password of HTTP basic authentication (any
 * user name), or through a session opened by logging in with it ({@link WebSessions}). Commands
 * (POST) need a bearer token, or a session and its form token: a browser sends basic
 * credentials and cookies to any site's form, never a bearer token or the form token. The
 * console token never appears in a page, a URL or the log.
 */
final class WebAccess {

    static final String REALM = "Cairn (the password is the token in <cairn.data>/console.token)";

    private WebAccess() {
    }

    /** Whether the request may read: a token in its header, or a session. */
    static boolean mayRead(HttpServletRequest request, ConsoleCredentials credentials, WebSessions sessions) {
        return allowed(request, credentials) || sessions.find(request).isPresent();
    }

    /** Whether the request may run a command: a bearer token, or a session and its form token. */
    static boolean mayCommand(HttpServletRequest request, ConsoleCredentials credentials, WebSessions sessions) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return credentials.accepts(header.substring(7).trim());
        }
        return sessions.find(request).map(s -> s.carriesCsrf(request)).orElse(false);
    }

    static boolean allowed(HttpServletRequest request, ConsoleCredentials credentials) {
        String header = request.getHeader("Authorization");
        if (header == null) {
            return false;
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return credentials.accepts(header.substring(7).trim());
        }
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon >= 0 && credentials.accepts(decoded.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }

    /** Answers 401 with a basic-authentication challenge. */
    static void refuse(HttpServletResponse response) throws IOException {
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "the console token is required");
    }

    /** Headers every answer carries: no framing, no caching, no sniffing, scripts from this origin only. */
    static void secure(HttpServletResponse response) {
        secureAllowingInlineScripts(response);
        response.setHeader("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    }

    /** The same without a content policy, for pages that run inline scripts (Felix's web console). */
    static void secureAllowingInlineScripts(HttpServletResponse response) {
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Cache-Control", "no-store");
    }
}
