package dev.cairn.core.internal.platform;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.ledger.LedgerEntry;
import dev.cairn.core.internal.ledger.Ownership;
import dev.cairn.core.internal.ledger.SnapshotLedger;
import dev.cairn.core.internal.platform.PluginTracker.Kind;
import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Moves a job's state to another storage through the platform. Before a configuration naming the
 * new storage is accepted, a marker naming the old one is written into the new storage; the next
 * start on the new storage copies the old storage's recovery point over, makes the copy its
 * ledger's recovery point, retires the old ledger and removes the marker. A kill anywhere in
 * between leaves the old configuration, or the marker to finish the move from: nothing is lost
 * and nothing committed is replayed.
 */
final class StorageMove {

    private static final Logger LOG = Logger.getLogger(StorageMove.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private StorageMove() {
    }

    /** Where a prepared move is recorded, in the storage moved to. */
    static String markerPath(String job) {
        return job + "/moved-from.json";
    }

    /**
     * Whether going from {@code a}'s storage to {@code b}'s moves the state: another plugin, or
     * settings that point elsewhere (tuning settings such as part sizes or retries do not).
     */
    static boolean relocates(JobSpec a, JobSpec b, PluginTracker plugins) {
        if (!a.config().storage().equals(b.config().storage())) {
            return true;
        }
        if (a.config().storageConfig().equals(b.config().storageConfig())) {
            return false;
        }
        try (SnapshotStorage from = open(plugins, a); SnapshotStorage to = open(plugins, b)) {
            return !from.describe().equals(to.describe()); // bucket, prefix, endpoint, root: never credentials
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell: preparing the move says why it cannot be done
        }
    }

    /** Records in {@code next}'s storage where the job's state is now: {@code current}'s storage. */
    static void prepare(JobSpec current, JobSpec next, PluginTracker plugins) throws IOException {
        Map<String, Object> from = new LinkedHashMap<>();
        from.put("storage", current.config().storage());
        from.put("config", current.config().storageConfig()); // a job's own storage settings: never credentials
        try (SnapshotStorage target = open(plugins, next)) {
            // checked twice (before the configuration is stored and when it arrives): the second write replaces the first
            target.delete(markerPath(next.name()));
            try (OutputStream out = target.create(markerPath(next.name()))) {
                out.write(JSON.writeValueAsBytes(from));
            }
        }
    }

    /**
     * Finishes a move into {@code spec}'s storage if one was prepared: called before the job
     * starts there.
     *
     * @return the directory of the snapshot moved over, or empty when there was no move to finish
     */
    static Optional<String> complete(JobSpec spec, PluginTracker plugins) throws IOException {
        try (SnapshotStorage target = open(plugins, spec)) {
            String marker = markerPath(spec.name());
            if (!target.exists(marker)) {
                return Optional.empty();
            }
            Map<String, Object> from;
            try (InputStream in = target.open(marker)) {
                from = JSON.readValue(in, new TypeReference<>() { });
            }
            String storage = String.valueOf(from.get("storage"));
            @SuppressWarnings("unchecked")
            Map<String, String> config = (Map<String, String>) from.get("config");
            Optional<String> moved = copyRecoveryPoint(spec.name(), plugins, storage, config, target);
            target.delete(marker);
            return moved;
        }
    }

    private static Optional<String> copyRecoveryPoint(String job, PluginTracker plugins, String storage, Map<String, String> config,
                                                      SnapshotStorage target) throws IOException {
        // the storage the state moves away from, in whatever version is installed: the marker records no range
        SnapshotStorageProvider provider = (SnapshotStorageProvider) plugins.find(Kind.STORAGE, storage).orElseThrow(() ->
                new IOException("storage '" + storage + "' is not installed (installed: " + plugins.names(Kind.STORAGE) + ")")).service();
        try (SnapshotStorage source = provider.open(config)) {
            SnapshotCatalog from = new SnapshotCatalog(source, job);
            SnapshotLedger oldLedger = SnapshotLedger.open(from);
            Optional<LedgerEntry> point = oldLedger.recoveryPoint();
            if (point.isEmpty()) {
                return Optional.empty();
            }
            CompletedSnapshot snapshot = from.load(point.get().directory());
            SnapshotCatalog to = new SnapshotCatalog(target, job);
            CompletedSnapshot copy = to.copyFrom(from, snapshot);
            SnapshotLedger.open(to).recoverFrom(copy, Ownership.PLATFORM, point.get().dropsUnknownState());
            oldLedger.retire();
            LOG.info("Job " + job + ": snapshot " + copy.directory() + " moved from " + source.describe() + " to " + target.describe());
            return Optional.of(copy.directory());
        }
    }

    private static SnapshotStorage open(PluginTracker plugins, JobSpec spec) throws IOException {
        SnapshotStorageProvider provider = (SnapshotStorageProvider) spec.plugin(plugins, Kind.STORAGE).orElseThrow(() ->
                new IOException(spec.wanted(Kind.STORAGE) + " is not installed (" + spec.installed(plugins, Kind.STORAGE) + ")")).service();
        return provider.open(spec.config().storageConfig());
    }
}
