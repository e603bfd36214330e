package dev.cairn.core.internal.console;

import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.catalog.SnapshotKind;
import dev.cairn.core.internal.platform.JobInstance;
import dev.cairn.core.internal.platform.JobSupervisor;
import dev.cairn.spi.storage.StoragePaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code cairn:snapshots}, {@code cairn:snapshot}, {@code cairn:discard}: a job's snapshots, through the platform. */
@Component(service = SnapshotCommands.class, property = {"osgi.command.scope=cairn",
        "osgi.command.function=snapshots", "osgi.command.function=snapshot", "osgi.command.function=discard"})
public final class SnapshotCommands {

    private final JobSupervisor supervisor;

    @Activate
    public SnapshotCommands(@Reference JobSupervisor supervisor) {
        this.supervisor = supervisor;
    }

    /** The job's committed checkpoints and savepoints, oldest first. */
    public String snapshots(String job) throws IOException {
        return find(job).withCatalog((catalog, running) -> {
            List<CompletedSnapshot> all = new ArrayList<>(catalog.completedCheckpoints());
            all.addAll(catalog.savepoints());
            Tables t = new Tables("KIND", "PATH", "ID", "FORMAT", "BACKEND", "SIZE", "TAKEN");
            for (CompletedSnapshot s : all) {
                var md = s.metadata();
                t.row(md.kind().name().toLowerCase(), s.directory(), md.snapshotId(), md.format(), md.backend(),
                        Tables.bytes(md.totalSize()), Instant.ofEpochMilli(md.timestamp()));
            }
            return t.toString();
        });
    }

    /** A snapshot's metadata as stored (JSON, relative paths, sizes and checksums). */
    public String snapshot(String job, String path) throws IOException {
        JobInstance j = find(job);
        String dir = inJob(j, path);
        return j.withCatalog((catalog, running) -> {
            catalog.load(dir); // checks it is a committed, readable snapshot
            try (InputStream in = catalog.storage().open(dir + "/" + SnapshotCatalog.METADATA)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
    }

    /** Deletes a savepoint with every file no other snapshot of the job references. */
    public String discard(String job, String path) throws IOException {
        JobInstance j = find(job);
        String dir = inJob(j, path);
        if (dir.startsWith(j.name() + "/chk-")) {
            throw new IllegalArgumentException(dir + " is a checkpoint: checkpoints belong to the platform, which retains and deletes them");
        }
        if (dir.equals(j.resumePath())) {
            throw new IllegalArgumentException("Job " + j.name() + " resumes from " + dir + "; it cannot be deleted");
        }
        return j.withCatalog((catalog, running) -> {
            CompletedSnapshot s = catalog.load(dir);
            if (s.metadata().kind() != SnapshotKind.SAVEPOINT) {
                throw new IllegalArgumentException(dir + " is not a savepoint: only savepoints are deleted by hand");
            }
            if (running != null) {
                running.deleteSavepoint(s.metadata().name());
            } else {
                catalog.discard(s, Set.of()); // savepoints are self-contained
            }
            return "deleted savepoint " + dir;
        });
    }

    private static String inJob(JobInstance j, String path) {
        String dir = StoragePaths.requireRelative(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
        if (!dir.startsWith(j.name() + "/")) {
            throw new IllegalArgumentException(path + " is not a snapshot of job " + j.name() + " (its snapshots are under " + j.name() + "/)");
        }
        return dir;
    }

    private JobInstance find(String name) {
        return supervisor.job(name).orElseThrow(() -> new IllegalArgumentException("No job named '" + name + "'"));
    }
}
