package dev.cairn.console.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * Browser sessions after a login with the console token: a random id in an {@code HttpOnly},
 * {@code SameSite=Strict} cookie, and per session a random token every form carries back, so that
 * another site can neither read the pages nor post a command. In memory only: a platform restart
 * (which also changes the console token) logs everyone out.
 */
@Component(service = WebSessions.class)
public final class WebSessions {

    static final String COOKIE = "cairn-session";
    /** Sessions idle longer than this are forgotten. */
    private static final long IDLE_MILLIS = 8 * 3600_000L;
    private static final int MAX_SESSIONS = 64;

    /** One browser's session; {@code flash} is the result of its last command, shown once. */
    static final class Session {
        final String id;
        final String csrf;
        volatile long lastUsed;
        volatile String flash;
        volatile boolean flashFailed;

        private Session(String id, String csrf) {
            this.id = id;
            this.csrf = csrf;
            this.lastUsed = System.currentTimeMillis();
        }

        boolean carriesCsrf(HttpServletRequest request) {
            String presented = request.getParameter("csrf");
            return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), csrf.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true); // access order: the least used goes first

    synchronized Session open(HttpServletResponse response) {
        expire();
        while (sessions.size() >= MAX_SESSIONS) {
            sessions.remove(sessions.keySet().iterator().next());
        }
        Session s = new Session(randomHex(), randomHex());
        sessions.put(s.id, s);
        response.addHeader("Set-Cookie", COOKIE + "=" + s.id + "; Path=/; HttpOnly; SameSite=Strict");
        return s;
    }

    synchronized Optional<Session> find(HttpServletRequest request) {
        expire();
        String id = cookie(request);
        Session s = id == null ? null : sessions.get(id);
        if (s != null) {
            s.lastUsed = System.currentTimeMillis();
        }
        return Optional.ofNullable(s);
    }

    synchronized void close(Session s, HttpServletResponse response) {
        sessions.remove(s.id);
        response.addHeader("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    }

    private void expire() {
        long now = System.currentTimeMillis();
        sessions.values().removeIf(s -> now - s.lastUsed > IDLE_MILLIS);
    }

    private static String cookie(HttpServletRequest request) {
        String header = request.getHeader("Cookie");
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String p = part.trim();
            if (p.startsWith(COOKIE + "=")) {
                return p.substring(COOKIE.length() + 1);
            }
        }
        return null;
    }

    private String randomHex() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
