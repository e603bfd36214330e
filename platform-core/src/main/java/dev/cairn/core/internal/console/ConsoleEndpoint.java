package dev.cairn.core.internal.console;

import dev.cairn.api.monitor.ConsoleCommands;
import dev.cairn.api.monitor.ConsoleCredentials;
import dev.cairn.core.internal.platform.InvalidConfigurationException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Runs console commands for {@code bin/cairn} on a running platform. Bound to loopback unless
 * told otherwise; a client must present the token the platform writes, at start, to a file only
 * its user can read. One command per connection: {@code token\ncommand\n}; the reply ends with a
 * line {@value #EXIT_PREFIX}{@code <0|1>}.
 */
@Component(configurationPid = ConsoleEndpoint.PID, service = {ConsoleCredentials.class, ConsoleCommands.class}, immediate = true)
@Designate(ocd = ConsoleEndpointConfiguration.class)
public final class ConsoleEndpoint implements ConsoleCredentials, ConsoleCommands {

    static final String PID = "cairn.console";
    static final String EXIT_PREFIX = "cairn-exit: ";
    /** The longest command line the console takes. */
    static final int MAX_COMMAND_BYTES = 64 * 1024;
    private static final Logger LOG = Logger.getLogger(ConsoleEndpoint.class.getName());

    private final CommandProcessor processor;
    private final BundleContext context;
    private final ServerSocket server;
    private final byte[] token;
    private final Path tokenFile;
    private final Path portFile;
    private final Thread acceptor;

    @Activate
    public ConsoleEndpoint(@Reference CommandProcessor processor, BundleContext context, Map<String, Object> properties)
            throws IOException, InvalidConfigurationException {
        this.processor = processor;
        this.context = context;
        Settings s;
        try {
            s = validate(properties);
        } catch (InvalidConfigurationException e) {
            LOG.warning("Configuration " + PID + " refused, the console stays on loopback: " + e.getMessage());
            s = validate(Map.of());
        }
        String data = context.getProperty("cairn.data");
        Path dir = data != null ? Path.of(data) : context.getDataFile("").toPath();
        Files.createDirectories(dir);
        this.tokenFile = dir.resolve("console.token");
        this.portFile = dir.resolve("console.port");
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        this.token = HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
        writePrivate(tokenFile, token);
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(s.host()), s.port()), 16);
        // written whole or not at all: a client reading it while the platform starts never sees half of it
        Path written = Files.writeString(portFile.resolveSibling(portFile.getFileName() + ".new"), Integer.toString(server.getLocalPort()));
        Files.move(written, portFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        this.acceptor = new Thread(this::acceptLoop, "cairn-console");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info(() -> "Console listening on " + server.getLocalSocketAddress());
    }

    record Settings(String host, int port) {
    }

    static Settings validate(Map<String, ?> properties) throws InvalidConfigurationException {
        Object hostValue = properties.get("host");
        String host = hostValue == null || hostValue.toString().isBlank() ? "127.0.0.1" : hostValue.toString().trim();
        int port;
        Object p = properties.get("port");
        try {
            port = p == null ? 0 : p instanceof Number n ? n.intValue() : Integer.parseInt(p.toString().trim());
        } catch (NumberFormatException e) {
            throw InvalidConfigurationException.of("port", p, "use an integer from 0 to 65535");
        }
        if (port < 0 || port > 65535) {
            throw InvalidConfigurationException.of("port", p, "use an integer from 0 to 65535");
        }
        boolean remote = Boolean.parseBoolean(String.valueOf(properties.get("allow-remote")));
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (IOException e) {
            throw InvalidConfigurationException.of("host", host, "use an address or host name this machine has");
        }
        if (!address.isLoopbackAddress() && !remote) {
            throw InvalidConfigurationException.of("host", host, "use a loopback address, or set allow-remote=true to expose the console");
        }
        return new Settings(host, port);
    }

    private static void writePrivate(Path file, byte[] content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.write(file, content);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> serve(client), "cairn-console-client");
                t.setDaemon(true);
                t.start();
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Console accept failed", e);
            }
        }
    }

    private void serve(Socket client) {
        try (client;
             InputStream in = new BufferedInputStream(client.getInputStream());
             PrintStream out = new PrintStream(client.getOutputStream(), true, StandardCharsets.UTF_8)) {
            client.setSoTimeout(30_000);
            // before it has shown the token a client gets no more than a token's length of our memory
            String presented = readLine(in, token.length + 2);
            if (presented == null || !accepts(presented.trim())) {
                out.println("refused: wrong or missing console token");
                out.println(EXIT_PREFIX + 2);
                return;
            }
            client.setSoTimeout(0);
            String line = readLine(in, MAX_COMMAND_BYTES);
            if (line == null) {
                out.println("refused: no command, or one longer than " + MAX_COMMAND_BYTES + " bytes");
                out.println(EXIT_PREFIX + 2);
                return;
            }
            out.println(EXIT_PREFIX + execute(line, out));
        } catch (IOException e) {
            LOG.log(Level.FINE, "Console client went away", e);
        }
    }

    /**
     * The next line (UTF-8, without its line end) if it ends within {@code max} bytes; {@code null}
     * if the stream ends first or the line is longer.
     */
    static String readLine(InputStream in, int max) throws IOException {
        byte[] line = new byte[max];
        for (int n = 0; n < max; n++) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (b == '\n') {
                int end = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
                return new String(line, 0, end, StandardCharsets.UTF_8);
            }
            line[n] = (byte) b;
        }
        return null;
    }

    /** Runs one Cairn command line in a fresh session; prints its result; returns the exit code. */
    @Override
    public Result execute(String commandLine) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            exit = execute(commandLine, out);
        }
        return new Result(exit, bytes.toString(StandardCharsets.UTF_8).strip());
    }

    private int execute(String line, PrintStream out) {
        RemoteCommand.Interpretation interpretation = RemoteCommand.interpret(line, this::published);
        if (interpretation instanceof RemoteCommand.Answer answer) {
            out.println(answer.text());
            return answer.exit();
        }
        RemoteCommand.Run run = (RemoteCommand.Run) interpretation;
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
            Object result = session.execute(run.gogoLine());
            if (result instanceof Map<?, ?> map) {
                out.println(aligned(map));
            } else if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
            return 0;
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            // Gogo's "Cannot coerce job() to any of [(String)]": the arguments do not fit the command
            out.println(message.startsWith("Cannot coerce") ? "usage: " + run.usage().line() : "error: " + message);
            return 1;
        }
    }

    /** A map result ({@code job <name>}) as two aligned columns, lists one item per line. */
    static String aligned(Map<?, ?> map) {
        Tables table = null;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            List<?> items = e.getValue() instanceof Collection<?> c && !c.isEmpty() ? List.copyOf(c) : Collections.singletonList(e.getValue());
            for (int i = 0; i < items.size(); i++) {
                Object key = i == 0 ? e.getKey() : "";
                table = table == null ? new Tables(String.valueOf(key), String.valueOf(items.get(i))) : table.row(key, items.get(i));
            }
        }
        return table == null ? "" : table.toString();
    }

    private boolean published(String scope, String function) {
        if (!scope.matches("[\\w.-]+") || !function.matches("[\\w.-]+")) {
            return false;
        }
        try {
            return context.getServiceReferences((String) null, "(&(osgi.command.scope=" + scope + ")(osgi.command.function=" + function
                    + ")(" + RemoteCommand.PUBLISHED + "=true))") != null;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            return false;
        }
    }

    @Override
    public boolean accepts(String presented) {
        return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token);
    }

    @Deactivate
    void deactivate() throws IOException {
        server.close();
        Files.deleteIfExists(portFile);
        Files.deleteIfExists(tokenFile);
    }
}
