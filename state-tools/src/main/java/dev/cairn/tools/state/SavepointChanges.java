package dev.cairn.tools.state;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a rewritten savepoint changes against its input: the key-group count, operators renamed or
 * dropped, keyed states renamed or dropped. Immutable; each {@code with…} returns a new value.
 *
 * @param maxParallelism   the key-group count, or {@code 0} to keep the input's
 * @param stateRenames     by {@code uid/state}
 * @param droppedStates    {@code uid/state}
 */
public record SavepointChanges(int maxParallelism, Map<String, String> operatorRenames, Set<String> droppedOperators,
                               Map<String, String> stateRenames, Set<String> droppedStates) {

    public SavepointChanges {
        operatorRenames = Map.copyOf(operatorRenames);
        droppedOperators = Set.copyOf(droppedOperators);
        stateRenames = Map.copyOf(stateRenames);
        droppedStates = Set.copyOf(droppedStates);
    }

    /** Nothing changed: a conversion. */
    public static SavepointChanges none() {
        return new SavepointChanges(0, Map.of(), Set.of(), Map.of(), Set.of());
    }

    public SavepointChanges withMaxParallelism(int keyGroups) {
        return new SavepointChanges(keyGroups, operatorRenames, droppedOperators, stateRenames, droppedStates);
    }

    public SavepointChanges renameOperator(String uid, String newUid) {
        Map<String, String> m = new LinkedHashMap<>(operatorRenames);
        m.put(uid, newUid);
        return new SavepointChanges(maxParallelism, m, droppedOperators, stateRenames, droppedStates);
    }

    public SavepointChanges dropOperator(String uid) {
        Set<String> s = new LinkedHashSet<>(droppedOperators);
        s.add(uid);
        return new SavepointChanges(maxParallelism, operatorRenames, s, stateRenames, droppedStates);
    }

    public SavepointChanges renameState(String uid, String state, String newName) {
        Map<String, String> m = new LinkedHashMap<>(stateRenames);
        m.put(stateKey(uid, state), newName);
        return new SavepointChanges(maxParallelism, operatorRenames, droppedOperators, m, droppedStates);
    }

    public SavepointChanges dropState(String uid, String state) {
        Set<String> s = new LinkedHashSet<>(droppedStates);
        s.add(stateKey(uid, state));
        return new SavepointChanges(maxParallelism, operatorRenames, droppedOperators, stateRenames, s);
    }

    /** The key-group count of the new savepoint, for an input with {@code inputCount}. */
    int maxParallelismFor(int inputCount) {
        return maxParallelism == 0 ? inputCount : maxParallelism;
    }

    static String stateKey(String uid, String state) {
        return uid + "/" + state;
    }
}
