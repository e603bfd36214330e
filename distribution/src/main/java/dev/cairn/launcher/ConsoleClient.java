package dev.cairn.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** {@code bin/cairn <command>}: sends one console command to the platform running on this machine. */
public final class ConsoleClient {

    private static final String EXIT_PREFIX = "cairn-exit: ";

    private ConsoleClient() {
    }

    public static int run(Path data, String commandLine, PrintStream out) throws IOException {
        String port;
        String token;
        try {
            port = Files.readString(data.resolve("console.port")).trim();
            token = Files.readString(data.resolve("console.token")).trim();
        } catch (NoSuchFileException e) {
            out.println("No Cairn platform is running with data in " + data + " (start one with: bin/cairn run)");
            return 3;
        }
        if (!port.matches("\\d{1,5}")) {
            out.println("The Cairn platform with data in " + data + " has not written its console port yet (console.port holds '"
                    + port + "'); try again in a moment");
            return 3;
        }
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(port));
             PrintStream to = new PrintStream(socket.getOutputStream(), true, StandardCharsets.UTF_8);
             BufferedReader from = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            to.println(token);
            String first = commandLine.strip().split("\\s+", 2)[0];
            to.println(first.contains(":") || first.isEmpty() ? commandLine : "cairn:" + commandLine);
            String line;
            while ((line = from.readLine()) != null) {
                if (line.startsWith(EXIT_PREFIX)) {
                    return Integer.parseInt(line.substring(EXIT_PREFIX.length()).trim());
                }
                out.println(line);
            }
            out.println("The platform closed the connection without an answer");
            return 3;
        }
    }
}
