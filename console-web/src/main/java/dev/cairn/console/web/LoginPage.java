package dev.cairn.console.web;

import dev.cairn.api.monitor.ConsoleCredentials;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code /login}: a form asking for the console token, which opens a session and goes on to the
 * page that sent the browser here ({@code then}, a path on this server only); {@code POST /logout}
 * closes it.
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/login",
        "osgi.http.whiteboard.servlet.pattern=/logout", "osgi.http.whiteboard.servlet.name=cairn-login"})
public final class LoginPage extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final transient ConsoleCredentials credentials;
    private final transient WebSessions sessions;

    @Activate
    public LoginPage(@Reference ConsoleCredentials credentials, @Reference WebSessions sessions) {
        this.credentials = credentials;
        this.sessions = sessions;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        WebAccess.secure(response);
        form(response, null, then(request));
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        WebAccess.secure(response);
        if ("/logout".equals(request.getServletPath())) {
            var session = sessions.find(request);
            if (session.isPresent() && session.get().carriesCsrf(request)) {
                sessions.close(session.get(), response);
            }
            response.sendRedirect("/login");
            return;
        }
        String token = request.getParameter("token");
        if (token == null || !credentials.accepts(token.trim())) {
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            form(response, "That is not the console token.", then(request));
            return;
        }
        sessions.open(response);
        response.sendRedirect(then(request));
    }

    /** Where to go after logging in: a path on this server, never another site (no scheme, no {@code //}). */
    static String then(HttpServletRequest request) {
        String then = request.getParameter("then");
        return then != null && then.matches("/[A-Za-z0-9/_.~-]*") && !then.startsWith("//") ? then : "/";
    }

    private static void form(HttpServletResponse response, String error, String then) throws IOException {
        response.setContentType("text/html;charset=utf-8");
        PrintWriter out = response.getWriter();
        out.println("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Cairn: log in</title>"
                + "<style>body{font-family:sans-serif;margin:3em}.error{color:#b00}</style></head><body><h1>Cairn</h1>");
        if (error != null) {
            out.println("<p class=\"error\" id=\"login-error\">" + JobsPage.html(error) + "</p>");
        }
        out.println("<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"then\" value=\""
                + JobsPage.html(then) + "\"><p><label>Console token (the contents of <code>data/console.token</code>)<br>"
                + "<input type=\"password\" name=\"token\" id=\"token\" size=\"52\" autocomplete=\"current-password\" autofocus></label></p>"
                + "<p><button type=\"submit\" id=\"login\">Log in</button></p></form></body></html>");
    }
}
