package dev.cairn.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The floor: plain JDK maps, no serializers, no snapshots. */
final class JdkMapStore implements StateStore {

    private final HashMap<Long, String> values = new HashMap<>();
    private final HashMap<Long, HashMap<String, String>> maps = new HashMap<>();
    private final HashMap<Long, List<String>> lists = new HashMap<>();
    private Long key;

    @Override
    public void setKey(long k) {
        key = k;
    }

    @Override
    public boolean owns(long k) {
        return true;
    }

    @Override
    public String valueGet() {
        return values.get(key);
    }

    @Override
    public void valueUpdate(String v) {
        values.put(key, v);
    }

    @Override
    public void mapPut(String k, String v) {
        maps.computeIfAbsent(key, x -> new HashMap<>()).put(k, v);
    }

    @Override
    public String mapGet(String k) {
        HashMap<String, String> m = maps.get(key);
        return m == null ? null : m.get(k);
    }

    @Override
    public int mapIterate() {
        int n = 0;
        HashMap<String, String> m = maps.get(key);
        if (m != null) {
            for (Map.Entry<String, String> e : m.entrySet()) {
                n += e.getValue().length() > 0 ? 1 : 0;
            }
        }
        return n;
    }

    @Override
    public void listAdd(String v) {
        lists.computeIfAbsent(key, x -> new ArrayList<>()).add(v);
    }

    @Override
    public int listGet() {
        int n = 0;
        List<String> l = lists.get(key);
        if (l != null) {
            for (String s : l) {
                n += s.length() > 0 ? 1 : 0;
            }
        }
        return n;
    }

    @Override
    public PendingSnapshot snapshot(long checkpointId, boolean incremental) {
        throw new UnsupportedOperationException("the JDK floor takes no snapshots");
    }

    @Override
    public StateStore restore(Path workDir, List<PendingSnapshot.Done> snapshots, int index, int parallelism) {
        throw new UnsupportedOperationException("the JDK floor takes no snapshots");
    }

    @Override
    public void close() {
    }
}
