package dev.cairn.core.internal.platform;

import dev.cairn.api.job.ClaimMode;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * Where a job instance continues when it starts again: a snapshot and whether the job takes it
 * over. {@code whileRunning} marks a point written when the job started: if the platform dies
 * before the job stops cleanly, the job's newest completed checkpoint (if any) wins over it.
 */
record ResumePoint(String path, ClaimMode claimMode, boolean whileRunning) {

    ResumePoint running() {
        return new ResumePoint(path, claimMode, true);
    }

    /** Kept in the kernel's data area, one file per job, so that a platform restart resumes jobs. */
    static final class Store {
        private final Path directory;

        Store(Path directory) {
            this.directory = directory;
        }

        ResumePoint load(String job) {
            Path file = directory.resolve(job + ".resume");
            if (!Files.exists(file)) {
                return null;
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
                String path = p.getProperty("path", "");
                return new ResumePoint(path.isEmpty() ? null : path, ClaimMode.valueOf(p.getProperty("claim-mode", "CLAIM")),
                        Boolean.parseBoolean(p.getProperty("while-running")));
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalStateException("Cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        void save(String job, ResumePoint point) {
            Path file = directory.resolve(job + ".resume");
            try {
                Files.createDirectories(directory);
                if (point == null) {
                    Files.deleteIfExists(file);
                    return;
                }
                Properties p = new Properties();
                p.setProperty("path", point.path() == null ? "" : point.path());
                p.setProperty("claim-mode", point.claimMode().name());
                p.setProperty("while-running", Boolean.toString(point.whileRunning()));
                Path tmp = directory.resolve(job + ".resume.tmp");
                try (Writer w = Files.newBufferedWriter(tmp)) {
                    p.store(w, "where job " + job + " resumes");
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot write " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
