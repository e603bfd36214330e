package dev.cairn.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An HTTP proxy on a free loopback port between a storage client and a real storage server,
 * which injects faults per request: a 500 answer, a connection reset, or a slow response. It
 * asks the server to close each connection after its response, so that every request arrives
 * on a connection of its own and can be given its own fault.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    public enum Fault {
        NONE,
        /** answers 500 without asking the server */
        ERROR_500,
        /** resets the connection before the server sees the request */
        RESET,
        /** forwards after a delay */
        SLOW,
        /** forwards, then resets the connection after 256 KiB of the response */
        CUT_RESPONSE
    }

    private static final long CUT_AFTER = 256 * 1024;

    private final int upstreamPort;
    private final ServerSocket server;
    private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Map<Fault, AtomicInteger> injected = new EnumMap<>(Fault.class);
    private final long slowMillis;
    private volatile Function<String, Fault> policy = requestLine -> Fault.NONE;

    public FaultInjectingProxy(int upstreamPort, long slowMillis) throws IOException {
        this.upstreamPort = upstreamPort;
        this.slowMillis = slowMillis;
        for (Fault f : Fault.values()) {
            injected.put(f, new AtomicInteger());
        }
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        connections.execute(this::acceptLoop);
    }

    /** Chooses the fault for each request from its request line (e.g. {@code "PUT /bucket/key?partNumber=2 HTTP/1.1"}). */
    public void setPolicy(Function<String, Fault> policy) {
        this.policy = policy;
    }

    /** Faults at random: each request gets a 500, a reset or a slow answer with the given probabilities. */
    public static Function<String, Fault> random(long seed, double error500, double reset, double slow) {
        Random random = new Random(seed);
        return line -> {
            double r;
            synchronized (random) {
                r = random.nextDouble();
            }
            if (r < error500) {
                return Fault.ERROR_500;
            }
            if (r < error500 + reset) {
                return Fault.RESET;
            }
            return r < error500 + reset + slow ? Fault.SLOW : Fault.NONE;
        };
    }

    public int port() {
        return server.getLocalPort();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    public int injected(Fault fault) {
        return injected.get(fault).get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                connections.execute(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String requestLine = head.substring(0, head.indexOf("\r\n"));
            Fault fault = policy.apply(requestLine);
            injected.get(fault).incrementAndGet();
            switch (fault) {
                case ERROR_500 -> {
                    byte[] body = "injected fault".getBytes(StandardCharsets.US_ASCII);
                    OutputStream out = client.getOutputStream();
                    out.write(("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    client.shutdownOutput();
                    drain(client);
                }
                case RESET -> {
                    client.setSoLinger(true, 0);
                }
                case SLOW -> {
                    Thread.sleep(slowMillis);
                    forward(client, head, Long.MAX_VALUE);
                }
                case CUT_RESPONSE -> forward(client, head, CUT_AFTER);
                default -> forward(client, head, Long.MAX_VALUE);
            }
        } catch (IOException | InterruptedException e) {
            // the client or server went away: nothing to clean up beyond the sockets
        }
    }

    private static void drain(Socket client) {
        try {
            client.setSoTimeout(2_000);
            client.getInputStream().transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // done either way
        }
    }

    private void forward(Socket client, String head, long responseLimit) throws IOException {
        try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            upstream.getOutputStream().write(closing(head));
            upstream.getOutputStream().flush();
            connections.execute(() -> {
                try {
                    client.getInputStream().transferTo(upstream.getOutputStream());
                } catch (IOException ignored) {
                    // the upstream closed after its response
                }
            });
            // the client must also see "Connection: close", or it reuses a connection the server has closed
            InputStream fromUpstream = upstream.getInputStream();
            String responseHead = readHead(fromUpstream);
            while (responseHead != null && responseHead.startsWith("HTTP/1.1 100")) {
                client.getOutputStream().write(responseHead.getBytes(StandardCharsets.ISO_8859_1));
                responseHead = readHead(fromUpstream);
            }
            if (responseHead == null) {
                return;
            }
            client.getOutputStream().write(closing(responseHead));
            copy(fromUpstream, client.getOutputStream(), responseLimit);
            client.getOutputStream().flush();
            if (responseLimit != Long.MAX_VALUE) {
                client.setSoLinger(true, 0);
            }
        } catch (SocketException ignored) {
            // a side closed mid-transfer
        }
    }

    /** The message head with its Connection header replaced by "Connection: close". */
    private static byte[] closing(String head) {
        StringBuilder rewritten = new StringBuilder();
        for (String line : head.split("\r\n")) {
            if (!line.toLowerCase(java.util.Locale.ROOT).startsWith("connection:") && !line.isEmpty()) {
                rewritten.append(line).append("\r\n");
            }
        }
        return rewritten.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void copy(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long copied = 0;
        int n;
        while (copied < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - copied))) >= 0) {
            out.write(buffer, 0, n);
            copied += n;
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        connections.shutdownNow();
    }
}
