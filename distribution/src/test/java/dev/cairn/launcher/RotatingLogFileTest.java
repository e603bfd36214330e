package dev.cairn.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingLogFileTest {

    @TempDir
    Path dir;

    @Test
    void theLogKeepsItsNameAndTheNewestFilesWhileOlderOnesAreDropped() throws Exception {
        Path log = dir.resolve("cairn.log");
        Files.writeString(log, "x".repeat(900) + "\n"); // a run before this one left 901 bytes
        RotatingLogFile handler = new RotatingLogFile(log, 1_000, 2);
        handler.setFormatter(new SimpleFormatter() {
            @Override
            public String format(LogRecord r) {
                return r.getMessage() + "\n";
            }
        });
        for (int i = 0; i < 40; i++) {
            handler.publish(new LogRecord(Level.INFO, String.format("record %02d %s", i, "y".repeat(89)))); // 100 bytes each, with the line end
        }
        handler.close();

        assertThat(dir.resolve("cairn.log.3")).doesNotExist();
        String newest = Files.readString(log);
        String before = Files.readString(dir.resolve("cairn.log.1"));
        String oldest = Files.readString(dir.resolve("cairn.log.2"));
        assertThat(newest).endsWith("record 39 " + "y".repeat(89) + "\n");
        assertThat(before.length()).isEqualTo(1_000);
        assertThat(oldest.length()).isEqualTo(1_000);
        // record 00 filled the earlier run's file; each later file took ten records; the two oldest files were dropped
        assertThat(oldest).startsWith("record 11 ");
        assertThat(before).startsWith("record 21 ");
        assertThat(newest).startsWith("record 31 ");
    }
}
