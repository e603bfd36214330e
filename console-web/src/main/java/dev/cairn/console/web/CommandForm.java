package dev.cairn.console.web;

import dev.cairn.api.monitor.ConsoleCommands;
import dev.cairn.api.monitor.ConsoleCredentials;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code POST /command}: the jobs page's forms run console commands through {@link ConsoleCommands},
 * with the console's own validation and messages. The result is shown once, on the page the
 * browser is sent back to (post, redirect, get).
 */
@Component(service = Servlet.class, property = {"osgi.http.whiteboard.servlet.pattern=/command",
        "osgi.http.whiteboard.servlet.name=cairn-command"})
public final class CommandForm extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** Form fields become command words: no spaces, nothing the console's parser reads as syntax. */
    private static final Pattern WORD = Pattern.compile("[^\\s;|&$(){}\\[\\]<>`'\"\\\\]+");
    private static final List<String> ACTIONS = List.of("set", "unset", "discard", "stop", "start", "savepoint");

    private final transient ConsoleCommands commands;
    private final transient ConsoleCredentials credentials;
    private final transient WebSessions sessions;

    @Activate
    public CommandForm(@Reference ConsoleCommands commands, @Reference ConsoleCredentials credentials, @Reference WebSessions sessions) {
        this.commands = commands;
        this.credentials = credentials;
        this.sessions = sessions;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        WebAccess.secure(response);
        if (!WebAccess.mayCommand(request, credentials, sessions)) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN, "log in, and send the form's token with the command");
            return;
        }
        String action = request.getParameter("action");
        String job = request.getParameter("job");
        ConsoleCommands.Result result;
        if (action == null || !ACTIONS.contains(action) || job == null || !WORD.matcher(job).matches()) {
            result = new ConsoleCommands.Result(1, "unknown action " + action + "; the page runs " + ACTIONS);
        } else {
            result = run(action, job, request);
        }
        var session = sessions.find(request);
        if (session.isPresent()) {
            session.get().flash = result.output();
            session.get().flashFailed = result.exit() != 0;
            response.sendRedirect("/#job-" + URLEncoder.encode(job == null ? "" : job, StandardCharsets.UTF_8));
        } else { // a script with a bearer token gets the answer itself
            response.setStatus(result.exit() == 0 ? HttpServletResponse.SC_OK : HttpServletResponse.SC_BAD_REQUEST);
            response.setContentType("text/plain;charset=utf-8");
            response.getWriter().println(result.output());
        }
    }

    private ConsoleCommands.Result run(String action, String job, HttpServletRequest request) {
        StringBuilder line = new StringBuilder(action).append(' ').append(job);
        switch (action) {
            case "set" -> {
                String key = request.getParameter("key");
                String value = request.getParameter("value");
                if (!word(key) || !word(value)) {
                    return new ConsoleCommands.Result(1, "give a property and a value without spaces or quotes (bin/cairn takes any value)");
                }
                line.append(' ').append(key.trim()).append('=').append(value.trim());
            }
            case "unset" -> {
                String key = request.getParameter("key");
                if (!word(key)) {
                    return new ConsoleCommands.Result(1, "give the property to unset");
                }
                line.append(' ').append(key.trim());
            }
            case "discard" -> {
                String path = request.getParameter("path");
                if (!word(path)) {
                    return new ConsoleCommands.Result(1, "give the savepoint's path, as snapshots lists it");
                }
                line.append(' ').append(path.trim());
            }
            default -> {
                // stop, start, savepoint: the job alone
            }
        }
        return commands.execute(line.toString());
    }

    private static boolean word(String s) {
        return s != null && WORD.matcher(s.trim()).matches();
    }
}
