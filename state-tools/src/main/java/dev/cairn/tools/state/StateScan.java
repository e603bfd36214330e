package dev.cairn.tools.state;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cairn.core.internal.state.TtlValue;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads every key group of one operator's keyed state in order: {@code keys} lists its distinct
 * keys, {@code scan} writes its entries as JSON Lines to the terminal, {@code export} one file
 * per state (JSON Lines, or CSV where every part is a flat type).
 *
 * <p>An entry is one line: the key, the namespace (only for state in windows), the map key (map
 * state), the value, and for state with TTL the time it was last written
 * ({@code ttl-timestamp}, epoch milliseconds). A list state has a line per element.
 */
final class StateScan {

    /** Serializers whose values are one CSV field. */
    private static final Set<String> FLAT = Set.of("String", "Long", "Integer", "Double", "Boolean", "VoidNamespace");

    /** Where a scan's entries go, per state. */
    private interface EntryOutput {
        void entry(int state, Object key, Object namespace, Object mapKey, Object value) throws IOException;
    }

    private final OpenedSnapshot opened;
    private final ClassLoader loader;

    StateScan(OpenedSnapshot opened, ClassLoader loader) {
        this.opened = opened;
        this.loader = loader;
    }

    /** {@code keys}: each distinct key once, in key-group order, as {@code get} takes it. */
    int keys(String uid, long limit, PrintStream out) throws ToolException, IOException {
        try (OperatorKeyedState state = openAll(uid)) {
            StateDecoder decoder = new StateDecoder(state, loader);
            long[] printed = {0};
            // a key group is read to its end (a reader of sections cannot be stopped halfway), its entries past the limit ignored
            for (int kg : state.keyGroups()) {
                if (printed[0] == limit) {
                    break;
                }
                java.util.Set<java.nio.ByteBuffer> seen = new java.util.HashSet<>();
                state.read(kg, (s, parts, k, n, mk, v) -> {
                    if (printed[0] < limit && seen.add(java.nio.ByteBuffer.wrap(Arrays.copyOf(parts, k)))) {
                        out.println(StateDecoder.keyText(decoder.key(parts, 0, k)));
                        printed[0]++;
                    }
                });
            }
            return 0;
        }
    }

    /**
     * {@code scan}: entries as JSON Lines with their state's name, up to {@code limit}; with a
     * {@code keyText} only that key's, read from its key group alone.
     */
    int scan(String uid, String stateName, String keyText, long limit, PrintStream out) throws ToolException, IOException {
        KeyLookup.Key only = keyText == null ? null : KeyLookup.parse(opened, uid, keyText, loader);
        try (OperatorKeyedState state = only == null ? openAll(uid)
                : OperatorKeyedState.open(opened, uid, new KeyGroupRange(only.keyGroup(), only.keyGroup()), loader)) {
            StateDecoder decoder = new StateDecoder(state, loader);
            List<Integer> wanted = wanted(decoder, state, stateName);
            JsonGenerator json = StateDecoder.lines((OutputStream) out);
            long[] written = {0};
            read(state, decoder, wanted, only, limit, written, (s, key, ns, mk, value) -> {
                writeLine(json, state.states().get(s).name(), key, ns, mk, value);
                written[0]++;
            });
            json.flush();
            return 0;
        }
    }

    /** {@code export}: one file per state in {@code dir}, which must not hold them already. */
    int export(String uid, Path dir, String stateName, boolean csv, PrintStream out) throws ToolException, IOException {
        long start = System.nanoTime();
        try (OperatorKeyedState state = openAll(uid)) {
            StateDecoder decoder = new StateDecoder(state, loader);
            List<Integer> wanted = wanted(decoder, state, stateName);
            Files.createDirectories(dir);
            Path[] files = new Path[state.states().size()];
            java.util.Map<String, String> taken = new java.util.HashMap<>();
            for (int s : wanted) {
                String name = state.states().get(s).name();
                String other = taken.put(fileName(name), name);
                if (other != null) {
                    throw new ToolException("states '" + other + "' and '" + name + "' would both be exported to " + fileName(name)
                            + ": export them one at a time (--state) into different directories");
                }
            }
            for (int s : wanted) {
                StateMetaInfo m = state.states().get(s);
                if (csv) {
                    requireFlat(uid, m, state.keySerializer().describe());
                }
                files[s] = dir.resolve(fileName(m.name()) + (csv ? ".csv" : ".jsonl"));
                if (Files.exists(files[s])) {
                    throw new ToolException("state export: " + files[s] + " exists already; export into a new directory");
                }
            }
            Writer[] writers = new Writer[files.length];
            JsonGenerator[] generators = new JsonGenerator[files.length];
            long[] entries = new long[files.length];
            try {
                for (int s : wanted) {
                    writers[s] = new BufferedWriter(Files.newBufferedWriter(files[s], StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW), 1 << 16);
                    if (csv) {
                        writers[s].write(csvHeader(state.states().get(s)));
                    } else {
                        generators[s] = StateDecoder.lines(writers[s]);
                    }
                }
                read(state, decoder, wanted, null, Long.MAX_VALUE, new long[1], (s, key, ns, mk, value) -> {
                    if (csv) {
                        writeCsv(writers[s], key, ns, mk, value);
                    } else {
                        writeLine(generators[s], null, key, ns, mk, value);
                    }
                    entries[s]++;
                });
            } finally {
                for (int s : wanted) {
                    if (generators[s] != null) {
                        generators[s].close();
                    }
                    if (writers[s] != null) {
                        writers[s].close();
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long bytes = 0;
            for (int s : wanted) {
                long size = Files.size(files[s]);
                bytes += size;
                out.println(String.format(Locale.ROOT, "%s: %,d entries, %,d bytes", files[s], entries[s], size));
            }
            out.println(String.format(Locale.ROOT, "exported %d state(s) of operator %s: %.1f MiB read from the snapshot, %.1f MiB written"
                    + " in %.2f s (%.0f MiB/s written)", wanted.size(), uid, state.bytesRead() / 1048576.0, bytes / 1048576.0, seconds,
                    bytes / 1048576.0 / Math.max(seconds, 1e-9)));
            return 0;
        }
    }

    private OperatorKeyedState openAll(String uid) throws ToolException, IOException {
        return OperatorKeyedState.open(opened, uid, new KeyGroupRange(0, opened.metadata().maxParallelism() - 1), loader);
    }

    /** The states asked for (all but timers when none is named), their serializers restored. */
    static List<Integer> wanted(StateDecoder decoder, OperatorKeyedState state, String stateName) throws ToolException {
        List<Integer> wanted = new ArrayList<>();
        if (stateName != null) {
            wanted.add(decoder.stateIndex(stateName));
        } else {
            for (int i = 0; i < state.states().size(); i++) {
                if (!state.states().get(i).kind().equals("TIMERS")) {
                    wanted.add(i);
                }
            }
        }
        for (int s : wanted) {
            decoder.requireSerializers(s);
        }
        return wanted;
    }

    /**
     * Hands the entries of the states {@code wanted} (of key {@code only}, unless {@code null}) to
     * {@code output} until {@code done} (which it counts up) reaches {@code limit}.
     */
    private static void read(OperatorKeyedState state, StateDecoder decoder, List<Integer> wanted, KeyLookup.Key only, long limit,
                             long[] done, EntryOutput output) throws IOException {
        boolean[] take = new boolean[state.states().size()];
        wanted.forEach(s -> take[s] = true);
        for (int kg : state.keyGroups()) {
            if (done[0] >= limit) {
                return; // a key group is read to its end, its entries past the limit ignored
            }
            state.read(kg, (s, parts, k, n, mk, v) -> {
                if (take[s] && done[0] < limit && (only == null || only.matches(parts, k))) {
                    output.entry(s, decoder.key(parts, 0, k), decoder.namespace(s, parts, k, n),
                            mk < 0 ? null : decoder.mapKey(s, parts, k + n, mk), decoder.value(s, parts, k + n + Math.max(mk, 0), v));
                }
            });
        }
    }

    private static void writeLine(JsonGenerator json, String stateName, Object key, Object ns, Object mapKey, Object value) throws IOException {
        json.writeStartObject();
        if (stateName != null) {
            json.writeStringField("state", stateName);
        }
        json.writeFieldName("key");
        write(json, key);
        if (ns != null) {
            json.writeFieldName("namespace");
            write(json, ns);
        }
        if (mapKey != null) {
            json.writeFieldName("map-key");
            write(json, mapKey);
        }
        json.writeFieldName("value");
        write(json, StateDecoder.unwrapped(value));
        if (value instanceof TtlValue<?> t) {
            json.writeNumberField("ttl-timestamp", t.timestamp());
        }
        json.writeEndObject();
        json.writeRaw('\n');
    }

    /** Strings and numbers straight to the generator (most keys and many values are), anything else through the mapper. */
    private static void write(JsonGenerator json, Object v) throws IOException {
        if (v instanceof String s) {
            json.writeString(s);
        } else if (v instanceof Long l) {
            json.writeNumber(l);
        } else if (v instanceof Integer i) {
            json.writeNumber(i);
        } else {
            json.writeObject(v);
        }
    }

    private static void requireFlat(String uid, StateMetaInfo m, String keyType) throws ToolException {
        List<String> types = new ArrayList<>(List.of(keyType, m.namespaceSerializer().serializer(), bare(m.valueSerializer())));
        if (m.mapKeySerializer() != null) {
            types.add(m.mapKeySerializer().serializer());
        }
        for (String t : types) {
            if (!FLAT.contains(t)) {
                throw new ToolException("state '" + m.name() + "' of operator '" + uid + "' holds " + t
                        + ", which is not one CSV field: export it as JSON Lines (without --csv)");
            }
        }
    }

    private static String bare(SerializerSnapshotRef value) {
        String d = value.serializer();
        return d.startsWith("Ttl(") && d.endsWith(")") ? d.substring(4, d.length() - 1) : d;
    }

    private static String csvHeader(StateMetaInfo m) {
        return "key" + (m.namespaceSerializer().serializer().equals("VoidNamespace") ? "" : ",namespace")
                + (m.mapKeySerializer() == null ? "" : ",map-key") + ",value" + (m.ttl() ? ",ttl-timestamp" : "") + "\n";
    }

    private static void writeCsv(Writer w, Object key, Object ns, Object mapKey, Object value) throws IOException {
        StringBuilder line = new StringBuilder();
        csvField(line, key);
        if (ns != null) {
            line.append(',');
            csvField(line, ns);
        }
        if (mapKey != null) {
            line.append(',');
            csvField(line, mapKey);
        }
        line.append(',');
        csvField(line, StateDecoder.unwrapped(value));
        if (value instanceof TtlValue<?> t) {
            line.append(',').append(t.timestamp());
        }
        w.write(line.append('\n').toString());
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    private static void csvField(StringBuilder line, Object v) {
        String s = String.valueOf(v);
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            line.append(s);
        } else {
            line.append('"').append(s.replace("\"", "\"\"")).append('"');
        }
    }

    /** A state's name as a file name: anything but letters, digits, dot, dash and underscore becomes an underscore. */
    static String fileName(String state) {
        return state.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
