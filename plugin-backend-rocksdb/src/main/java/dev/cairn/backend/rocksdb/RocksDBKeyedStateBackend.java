package dev.cairn.backend.rocksdb;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.InternalKvState;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.backend.StateSpec;
import dev.cairn.spi.backend.TimerIndex;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB backend of one operator subtask: one database in the subtask's working directory,
 * a column family per state, written without a write-ahead log; a checkpoint takes the files of a
 * flush it does not wait for (see {@link RocksIncrementalSnapshot}). A restore may open a fetched checkpoint in place (see
 * {@link RocksRestoreOperation}).
 */
final class RocksDBKeyedStateBackend<K> implements KeyedStateBackend<K> {

    private final KeyedBackendParameters<K> params;
    private final KeyGroupRange range;
    private final Path directory;
    private final RocksDB db;
    private final ColumnFamilyHandle defaultColumnFamily;
    private final ColumnFamilyOptions columnFamilyOptions;
    private final TtlCompactionFilters ttlFilters;
    private final DBOptions dbOptions;
    private final RocksDBResources resources;
    private boolean closed;
    /**
     * No write-ahead log: a checkpoint takes flushed files (see {@link RocksIncrementalSnapshot}),
     * and a database is never reopened after a crash, only restored from a checkpoint.
     */
    private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
    private final Map<String, RocksState> states = new LinkedHashMap<>();
    private final Map<String, InternalKvState<?>> accessors = new ConcurrentHashMap<>();
    private final Map<String, StateMetaInfo> restored = new LinkedHashMap<>();
    /** Column families a restored checkpoint brought that no state has claimed yet. */
    private final Map<String, ColumnFamilyHandle> openedColumnFamilies = new LinkedHashMap<>();
    private final Map<String, RocksTimerIndex<K>> timerIndexes = new ConcurrentHashMap<>();
    private RocksDB timerDb;
    private ColumnFamilyHandle timerDbDefault;
    private final LocalRecovery localRecovery;
    private final AsyncDatabaseAccess asyncAccess;
    private final String instanceId = java.util.UUID.randomUUID().toString().substring(0, 8);
    private final Map<Long, Map<String, List<CheckpointFiles.Placement>>> pendingUploads = new ConcurrentHashMap<>();
    private volatile Map<String, List<CheckpointFiles.Placement>> uploadedFiles = Map.of();
    private K currentKey;
    private byte[] currentKeyPart;
    private long keyVersion;
    private volatile int columnFamilyChanges;
    private final java.util.concurrent.atomic.AtomicLong wholeCopies;

    /**
     * Opens the database in {@code directory}: empty, or holding a restored checkpoint whose column
     * families become states as the restore names them.
     */
    RocksDBKeyedStateBackend(KeyedBackendParameters<K> params, RocksDBResources resources, Path directory, LocalRecovery localRecovery,
                             java.util.concurrent.atomic.AtomicLong wholeCopies) throws IOException {
        this.params = params;
        this.wholeCopies = wholeCopies;
        this.range = params.keyGroupRange();
        this.directory = directory;
        this.localRecovery = localRecovery;
        if (!resources.retain()) {
            throw new IllegalStateException("The RocksDB backend of this bundle revision has stopped");
        }
        this.resources = resources; // released once the database has closed
        this.columnFamilyOptions = resources.columnFamilyOptions();
        this.ttlFilters = new TtlCompactionFilters(columnFamilyOptions);
        this.dbOptions = resources.dbOptions();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            if (Files.exists(directory.resolve("CURRENT"))) {
                try (Options options = new Options()) {
                    for (byte[] name : RocksDB.listColumnFamilies(options, directory.toString())) {
                        descriptors.add(new ColumnFamilyDescriptor(name, Arrays.equals(name, RocksDB.DEFAULT_COLUMN_FAMILY)
                                ? columnFamilyOptions : ttlFilters.optionsFor(new String(name, StandardCharsets.UTF_8))));
                    }
                }
            } else {
                descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnFamilyOptions));
            }
            this.db = RocksDB.open(resources.dbOptions(), directory.toString(), descriptors, handles);
        } catch (RocksDBException | RuntimeException | Error e) {
            ttlFilters.close();
            resources.release();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new IOException("Cannot open RocksDB in " + directory + ": " + e.getMessage(), e);
        }
        this.defaultColumnFamily = handles.get(0);
        this.asyncAccess = new AsyncDatabaseAccess(db);
        for (int i = 1; i < handles.size(); i++) {
            openedColumnFamilies.put(new String(descriptors.get(i).getName(), StandardCharsets.UTF_8), handles.get(i));
        }
    }

    /** A new, empty working directory for one database instance of this subtask. */
    static Path newDirectory(KeyedBackendParameters<?> params) throws IOException {
        return Files.createTempDirectory(Files.createDirectories(params.workingDirectory()),
                "rocksdb-" + params.operatorUid().replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + params.subtaskIndex() + "-");
    }

    /** Where the last completed checkpoint of this subtask is kept for a restart after failure. */
    static Path localRecoveryRoot(KeyedBackendParameters<?> params) {
        return params.workingDirectory().resolve("local-recovery");
    }

    static IllegalStateException failure(String what, RocksState state, RocksDBException e) {
        return new IllegalStateException("RocksDB could not " + what + " state '" + state.name + "': " + e.getMessage(), e);
    }

    RocksDB db() {
        return db;
    }

    DBOptions dbOptions() {
        return dbOptions;
    }

    ColumnFamilyOptions columnFamilyOptions() {
        return columnFamilyOptions;
    }

    Path directory() {
        return directory;
    }

    WriteOptions writeOptions() {
        return writeOptions;
    }

    KeyedBackendParameters<K> params() {
        return params;
    }

    KeyGroupRange range() {
        return range;
    }

    byte[] currentKeyPart() {
        if (currentKeyPart == null) {
            throw new IllegalStateException("State accessed without a current key");
        }
        return currentKeyPart;
    }

    /** Changes whenever the current key does: accessors cache their row prefix against it. */
    long keyVersion() {
        return keyVersion;
    }

    @Override
    public void setCurrentKey(K key) {
        int kg = KeyGroups.keyGroupIn(key, params.maxParallelism(), range);
        currentKey = key;
        currentKeyPart = Bytes.keyPart(kg, Bytes.serialize(params.keySerializer(), key));
        keyVersion++;
    }

    @Override
    public K getCurrentKey() {
        return currentKey;
    }

    /** The key part of row keys for {@code key}: the current key's without serializing it again. */
    byte[] keyPartOf(K key) {
        if (key == currentKey && currentKeyPart != null) {
            return currentKeyPart;
        }
        int kg = KeyGroups.keyGroupIn(key, params.maxParallelism(), range);
        return Bytes.keyPart(kg, Bytes.serialize(params.keySerializer(), key));
    }

    /** The key of the key part at {@code offset} of {@code row}. */
    K keyOf(byte[] row, int offset) {
        int[] pos = {offset + 2};
        int n = Bytes.readVarInt(row, pos);
        return Bytes.deserialize(params.keySerializer(), row, pos[0], n);
    }

    @Override
    public TimerIndex<K> timerIndex(String state) throws IOException {
        RocksState timers = states.get(state);
        if (timers == null) {
            throw new IllegalStateException("Timer state '" + state + "' is not registered");
        }
        RocksTimerIndex<K> existing = timerIndexes.get(state);
        if (existing != null) {
            return existing;
        }
        try {
            RocksTimerIndex<K> built = RocksTimerIndex.build(this, timerDatabase(), timers);
            timerIndexes.put(state, built);
            return built;
        } catch (RocksDBException e) {
            throw new IOException("Cannot index the timers of '" + state + "': " + e.getMessage(), e);
        }
    }

    /**
     * The database of this instance's timer indexes, beside its own, opened with the first: a
     * separate one so that checkpoints neither copy the indexes nor see their flushes (they are
     * derived, and rebuilt whenever a backend opens).
     */
    private RocksDB timerDatabase() throws RocksDBException {
        if (timerDb == null) {
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            timerDb = RocksDB.open(dbOptions, timerDirectory().toString(),
                    List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnFamilyOptions)), handles);
            timerDbDefault = handles.get(0);
        }
        return timerDb;
    }

    private Path timerDirectory() {
        return directory.resolveSibling(directory.getFileName() + "-timers");
    }

    @Override
    public Map<String, StateMetaInfo> restoredStates() {
        return Collections.unmodifiableMap(restored);
    }

    Map<String, RocksState> states() {
        return states;
    }

    /** The state as a snapshot describes it (restore), creating its column family on first sight. */
    RocksState restoredState(StateMetaInfo meta, TypeSerializer<?> ns, TypeSerializer<?> value, TypeSerializer<?> mapKey) throws IOException {
        RocksState s = stateNamed(meta.name(), StateKind.forUserKind(meta.kind()));
        s.useSerializers(meta, ns, value, mapKey);
        restored.putIfAbsent(meta.name(), meta);
        return s;
    }

    private RocksState stateNamed(String name, StateKind kind) throws IOException {
        RocksState s = states.get(name);
        if (s != null) {
            return s;
        }
        ColumnFamilyHandle opened = openedColumnFamilies.remove(name);
        if (opened != null) {
            s = new RocksState(name, kind, opened);
            states.put(name, s);
            columnFamilyChanges++;
            return s;
        }
        try {
            ColumnFamilyHandle cf = db.createColumnFamily(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), ttlFilters.optionsFor(name)));
            s = new RocksState(name, kind, cf);
            states.put(name, s);
            columnFamilyChanges++;
            return s;
        } catch (RocksDBException e) {
            throw new IOException("Cannot create the column family of state '" + name + "': " + e.getMessage(), e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <N> InternalKvState<N> createState(StateSpec spec, SerializerCompatibility compatibility) throws IOException {
        RocksState s = stateNamed(spec.name(), spec.kind());
        if (s.kind != spec.kind()) {
            throw new IllegalStateException("State '" + spec.name() + "' exists as " + s.kind + " state, not " + spec.kind());
        }
        boolean migrate = compatibility == SerializerCompatibility.COMPATIBLE_AFTER_MIGRATION && !s.registered && s.valueSerializer != null;
        TypeSerializer<Object> oldValues = s.valueSerializer;
        s.useSerializers(spec.metaInfo(), spec.namespaceSerializer(), spec.valueSerializer(), spec.mapKeySerializer());
        if (migrate) {
            StateMigration.rewriteValues(this, s, oldValues);
        }
        s.snapshotFilter = spec.snapshotFilter();
        s.cleanupFilter = spec.cleanupFilter();
        if (spec.compactionCleanup() != null) {
            ttlFilters.configure(db, s, spec.compactionCleanup());
        }
        s.registered = true;
        RocksState state = s;
        return (InternalKvState<N>) accessors.computeIfAbsent(spec.name(), n -> switch (state.kind) {
            case VALUE -> new RocksValueState<>(this, state);
            case LIST -> new RocksListState<>(this, state);
            case MAP -> new RocksMapState<>(this, state);
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public <N> Iterable<K> keys(String state, N namespace) {
        RocksState s = states.get(state);
        if (s == null) {
            return List.of();
        }
        byte[] ns = Bytes.serialize(s.namespaceSerializer, namespace);
        List<K> keys = new ArrayList<>();
        byte[] last = null;
        try (RocksIterator it = db.newIterator(s.columnFamily)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                Bytes.Row row = Bytes.Row.parse(it.key());
                if (Arrays.equals(row.namespace(), ns) && !Arrays.equals(row.key(), last)) {
                    keys.add((K) Bytes.deserialize(params.keySerializer(), row.key()));
                    last = row.key();
                }
            }
        }
        return keys;
    }

    /** Native: the database's own files; savepoints are self-contained, checkpoints build on the files of the last completed one. */
    @Override
    public AsyncSnapshot snapshot(SnapshotRequest request) throws IOException {
        return new RocksIncrementalSnapshot(this, request).start();
    }

    @Override
    public RocksEntries captureEntries() {
        return new RocksEntries(this);
    }

    /** Names the files this database instance uploads, so they never collide with another instance's. */
    String instanceId() {
        return instanceId;
    }

    Path localCheckpointDirectory(long checkpointId) {
        return directory.resolveSibling(directory.getFileName() + "-chk-" + checkpointId);
    }

    /**
     * What the last completed checkpoint stored of each local file (SST files whole, logs in
     * pieces), by local name: the next one references it instead of uploading it again.
     */
    Map<String, List<CheckpointFiles.Placement>> uploadedFiles() {
        return uploadedFiles;
    }

    void checkpointUploaded(long checkpointId, Map<String, List<CheckpointFiles.Placement>> files) {
        pendingUploads.put(checkpointId, Map.copyOf(files));
    }

    /** After a restore that opened a checkpoint of exactly this key-group range: its SST files need no new upload. */
    void reuseRestoredFiles(Map<String, List<CheckpointFiles.Placement>> ssts) {
        uploadedFiles = Map.copyOf(ssts);
    }

    /** Flushes a restore's imports into SST files, so that the first checkpoint does not wait for a large flush. */
    void flushAll() throws RocksDBException {
        try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
            db.flush(wait, allColumnFamilies());
        }
    }

    /**
     * Switches the memtables that hold data to immutable ones, which RocksDB flushes in the
     * background; nothing waits, even when an earlier flush is still running (the column family
     * options leave room for one more immutable memtable).
     */
    void switchMemtables() throws IOException {
        try {
            List<ColumnFamilyHandle> dirty = new ArrayList<>();
            for (ColumnFamilyHandle cf : allColumnFamilies()) {
                if (db.getLongProperty(cf, "rocksdb.num-entries-active-mem-table") > 0
                        || db.getLongProperty(cf, "rocksdb.num-deletes-active-mem-table") > 0) {
                    dirty.add(cf);
                }
            }
            if (!dirty.isEmpty()) {
                try (FlushOptions noWait = new FlushOptions().setWaitForFlush(false).setAllowWriteStall(true)) {
                    db.flush(noWait, dirty);
                }
            }
        } catch (RocksDBException e) {
            throw new IOException("RocksDB could not switch its memtables: " + e.getMessage(), e);
        }
    }

    /** Whether any of {@code families} still has an immutable memtable waiting for its flush. */
    boolean flushPending(List<ColumnFamilyHandle> families) throws IOException {
        try {
            for (ColumnFamilyHandle cf : families) {
                if (db.getLongProperty(cf, "rocksdb.num-immutable-mem-table") > 0) {
                    return true;
                }
            }
            return false;
        } catch (RocksDBException e) {
            throw new IOException("RocksDB could not report its flushes: " + e.getMessage(), e);
        }
    }

    AsyncDatabaseAccess asyncAccess() {
        return asyncAccess;
    }

    /** The column families as they are now (task thread): a snapshot's asynchronous part works on this copy. */
    List<ColumnFamilyHandle> columnFamilies() {
        return List.copyOf(allColumnFamilies());
    }

    /** Changes each time a state gets a column family; a checkpoint linking files after one was added cannot describe them. */
    int columnFamilyChanges() {
        return columnFamilyChanges;
    }

    /** A checkpoint had to write the database whole (see {@link RocksIncrementalSnapshot}). */
    void copiedWhole() {
        wholeCopies.incrementAndGet();
    }

    private List<ColumnFamilyHandle> allColumnFamilies() {
        List<ColumnFamilyHandle> all = new ArrayList<>();
        all.add(defaultColumnFamily);
        states.values().forEach(s -> all.add(s.columnFamily));
        return all;
    }

    /** The names of column families the restored checkpoint holds that no state claimed: a handle that does not describe its files. */
    java.util.Set<String> unclaimedColumnFamilies() {
        return openedColumnFamilies.keySet();
    }

    LocalRecovery localRecovery() {
        return localRecovery;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        asyncAccess.releaseUnclaimed(checkpointId, true);
        Map<String, List<CheckpointFiles.Placement>> files = pendingUploads.get(checkpointId);
        if (files != null) {
            uploadedFiles = files;
        }
        pendingUploads.keySet().removeIf(id -> id <= checkpointId);
        localRecovery.completed(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        asyncAccess.releaseUnclaimed(checkpointId, false);
        pendingUploads.remove(checkpointId);
        localRecovery.aborted(checkpointId);
    }

    /** Checks up to {@code entries} rows of {@code s} against its cleanup filter, resuming where the last call stopped. */
    void cleanupSome(RocksState s, int entries) {
        if (s.cleanupFilter == null) {
            return;
        }
        try (RocksIterator it = db.newIterator(s.columnFamily)) {
            if (s.cleanupCursor == null) {
                it.seekToFirst();
            } else {
                it.seek(s.cleanupCursor);
            }
            for (int checked = 0; checked < entries; checked++) {
                if (!it.isValid()) {
                    s.cleanupCursor = null; // wrap around on the next call
                    return;
                }
                byte[] key = it.key();
                byte[] value = it.value();
                byte[] kept = s.filter(value, s.cleanupFilter);
                if (kept == null) {
                    db.delete(s.columnFamily, writeOptions, key);
                } else if (kept != value) {
                    db.put(s.columnFamily, writeOptions, key, kept);
                }
                it.next();
                s.cleanupCursor = it.isValid() ? it.key() : null;
            }
        } catch (RocksDBException e) {
            throw failure("clean up", s, e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        asyncAccess.close();
        accessors.clear();
        for (RocksState s : states.values()) {
            s.columnFamily.close();
        }
        states.clear();
        timerIndexes.values().forEach(RocksTimerIndex::close);
        timerIndexes.clear();
        if (timerDb != null) {
            timerDbDefault.close();
            timerDb.close();
            RocksIncrementalSnapshot.deleteRecursively(timerDirectory());
        }
        openedColumnFamilies.values().forEach(ColumnFamilyHandle::close);
        openedColumnFamilies.clear();
        localRecovery.close();
        defaultColumnFamily.close();
        db.close();
        ttlFilters.close();
        resources.release();
        writeOptions.close();
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // the working copy only; nothing depends on it
        }
    }
}
