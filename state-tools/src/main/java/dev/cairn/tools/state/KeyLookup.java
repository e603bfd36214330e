package dev.cairn.tools.state;

import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code state get}: every state one key holds in one operator, read from the one key group the
 * key hashes to, as the job would see it. Of key-group sections only that key group's are read; a
 * backend's native files are restored for the subtask that holds the key group.
 */
final class KeyLookup {

    /** What one state holds for the key: per namespace, a value, a list or a map; and TTL write times. */
    private static final class Found {
        final Map<String, Object> byNamespace = new LinkedHashMap<>();
        final Map<String, Long> ttl = new LinkedHashMap<>();
    }

    private final OpenedSnapshot opened;
    private final ClassLoader loader;

    KeyLookup(OpenedSnapshot opened, ClassLoader loader) {
        this.opened = opened;
        this.loader = loader;
    }

    /** A key as given on the command line: parsed with the snapshot's key serializer, its bytes and key group as the job computes them. */
    record Key(Object value, byte[] bytes, int keyGroup) {
        boolean matches(byte[] parts, int length) {
            return Arrays.equals(parts, 0, length, bytes, 0, bytes.length);
        }
    }

    static Key parse(OpenedSnapshot opened, String uid, String keyText, ClassLoader loader) throws ToolException, IOException {
        OperatorKeyedState.operator(opened, uid);
        try (OperatorKeyedState keysOnly = OperatorKeyedState.open(opened, uid, KeyGroupRange.EMPTY, loader)) {
            StateDecoder d = new StateDecoder(keysOnly, loader);
            Object key = d.parseKey(keyText);
            return new Key(key, d.keyBytes(key), KeyGroups.keyGroupFor(key, opened.metadata().maxParallelism()));
        }
    }

    int run(String uid, String keyText, String stateName, boolean json, PrintStream out) throws ToolException, IOException {
        int maxParallelism = opened.metadata().maxParallelism();
        Key parsed = parse(opened, uid, keyText, loader);
        Object key = parsed.value();
        int keyGroup = parsed.keyGroup();
        try (OperatorKeyedState state = OperatorKeyedState.open(opened, uid, new KeyGroupRange(keyGroup, keyGroup), loader)) {
            StateDecoder decoder = new StateDecoder(state, loader);
            List<Integer> wanted = StateScan.wanted(decoder, state, stateName);
            Found[] found = new Found[state.states().size()];
            state.read(keyGroup, (s, parts, k, n, mk, v) -> {
                if (!wanted.contains(s) || !parsed.matches(parts, k)) {
                    return;
                }
                collect(decoder, s, found, parts, k, n, mk, v);
            });
            String where = String.format(Locale.ROOT, "key group %d of %d, %d section(s), %,d bytes read", keyGroup, maxParallelism,
                    state.sectionsRead(), state.bytesRead());
            if (json) {
                Map<String, Object> model = new LinkedHashMap<>();
                model.put("operator", uid);
                model.put("key", key);
                model.put("key-group", keyGroup);
                model.put("sections-read", state.sectionsRead());
                model.put("bytes-read", state.bytesRead());
                Map<String, Object> states = new LinkedHashMap<>();
                Map<String, Object> ttl = new LinkedHashMap<>();
                for (int i : wanted) {
                    states.put(state.states().get(i).name(), found[i] == null ? null : plain(found[i]));
                    if (found[i] != null && !found[i].ttl.isEmpty()) {
                        ttl.put(state.states().get(i).name(), plainTtl(found[i]));
                    }
                }
                model.put("states", states);
                if (!ttl.isEmpty()) {
                    model.put("ttl-written", ttl);
                }
                out.println(StateDecoder.JSON.writeValueAsString(model));
            } else {
                out.println("operator " + uid + ", key " + StateDecoder.keyText(key) + ": " + where);
                int width = wanted.stream().mapToInt(i -> state.states().get(i).name().length()).max().orElse(0);
                for (int i : wanted) {
                    StateMetaInfo m = state.states().get(i);
                    String shown = found[i] == null ? "(none)" : StateDecoder.JSON.writeValueAsString(plain(found[i]));
                    String ttl = found[i] == null || found[i].ttl.isEmpty() ? "" : "   TTL, written " + plainTtl(found[i]);
                    out.println(String.format(Locale.ROOT, "  %-" + width + "s  %s%s", m.name(), shown, ttl));
                }
            }
            return 0;
        }
    }

    @SuppressWarnings("unchecked")
    private static void collect(StateDecoder d, int s, Found[] found, byte[] parts, int k, int n, int mk, int v)
            throws IOException {
        Found f = found[s] == null ? (found[s] = new Found()) : found[s];
        Object ns = d.namespace(s, parts, k, n);
        String nsText = ns == null ? "" : StateDecoder.keyText(ns);
        int valueAt = k + n + Math.max(mk, 0);
        Object stored = d.value(s, parts, valueAt, v);
        Object value = StateDecoder.unwrapped(stored);

        switch (d.meta(s).kind()) {
            case "LIST" -> ((List<Object>) f.byNamespace.computeIfAbsent(nsText, x -> new ArrayList<>())).add(value);
            case "MAP" -> {
                Object mapKey = d.mapKey(s, parts, k + n, mk);
                ((Map<String, Object>) f.byNamespace.computeIfAbsent(nsText, x -> new LinkedHashMap<>()))
                        .put(StateDecoder.keyText(mapKey), value);
            }
            default -> f.byNamespace.put(nsText, value);
        }
        if (stored instanceof dev.cairn.core.internal.state.TtlValue<?> t) {
            f.ttl.merge(nsText, t.timestamp(), Math::max); // a list or map shows its newest write
        }
    }

    /** Outside windows there is one namespace: the value itself; else the values by namespace. */
    private static Object plain(Found f) {
        return f.byNamespace.size() == 1 && f.byNamespace.containsKey("") ? f.byNamespace.get("") : f.byNamespace;
    }

    private static Object plainTtl(Found f) {
        Map<String, String> times = new LinkedHashMap<>();
        f.ttl.forEach((ns, millis) -> times.put(ns, java.time.Instant.ofEpochMilli(millis).toString()));
        return times.size() == 1 && times.containsKey("") ? times.get("") : times;
    }
}
