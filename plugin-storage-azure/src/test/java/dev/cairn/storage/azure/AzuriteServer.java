package dev.cairn.storage.azure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;

/**
 * A real Azure Blob server on a free loopback port: azurite, which the build installs from the
 * npm registry (its path comes in the system property {@code azurite.bin}). Started per test
 * class with its own data folder; stopped with its child processes.
 */
public final class AzuriteServer implements AutoCloseable {

    public static final String ACCOUNT = "devstoreaccount1";
    /** azurite's well-known development key, not a secret. */
    public static final String ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private final Process process;
    private final Path location;
    private final int port;

    public AzuriteServer() throws IOException, InterruptedException {
        String bin = System.getProperty("azurite.bin");
        if (bin == null || !Files.isExecutable(Path.of(bin))) {
            throw new IllegalStateException("azurite is not installed at " + bin + " (the build installs it from npm)");
        }
        location = Files.createTempDirectory("azurite-");
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        process = new ProcessBuilder(bin, "--blobHost", "127.0.0.1", "--blobPort", String.valueOf(port),
                "--location", location.toString(), "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose")
                .redirectErrorStream(true).redirectOutput(location.resolve("azurite.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    close();
                    throw new IOException("azurite did not start on port " + port + ": " + Files.readString(location.resolve("azurite.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    public int port() {
        return port;
    }

    /** The blob endpoint of the development account, for {@code endpoint}. */
    public String endpoint(int viaPort) {
        return "http://127.0.0.1:" + viaPort + "/" + ACCOUNT;
    }

    /** The plugin-wide settings with the account's shared key; {@code viaPort} is the server's or a proxy's. */
    public Map<String, Object> pluginSettings(int viaPort) {
        return Map.of("endpoint", endpoint(viaPort), "credentials", "shared-key", "account-name", ACCOUNT,
                "account-key", ACCOUNT_KEY, "max-attempts", "6");
    }

    @Override
    public void close() throws IOException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(location)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
