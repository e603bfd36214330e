package dev.cairn.core.internal.platform;

import dev.cairn.api.platform.JobDefinition;
import dev.cairn.spi.placement.JobPlacement;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.backend.StateBackendDecorator;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.VersionRange;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Tracks the plugin services present right now, by kind and name. Removals are reported
 * synchronously, while the departing bundle can still run code: that is when a job using it
 * must stop with a savepoint.
 */
@Component(service = PluginTracker.class)
public final class PluginTracker {

    public enum Kind { BACKEND, DECORATOR, STORAGE, FORMAT, DEFINITION, PLACEMENT }

    /** One registered plugin service. */
    public record Plugin(Kind kind, String name, Object service, Bundle bundle) {
        public String origin() {
            return bundle.getSymbolicName() + " " + bundle.getVersion();
        }
    }

    /** Told about plugin services coming and going. */
    interface Listener {
        /** Called after a plugin arrived; may return before acting on it. */
        void pluginAdded(Plugin plugin);

        /** Called before the plugin's service goes away; returns once nothing uses it anymore. */
        void pluginRemoved(Plugin plugin);
    }

    // per kind and name, in arrival order: the first one is the one new jobs get
    private final Map<Kind, Map<String, List<Plugin>>> plugins = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    void addListener(Listener l) {
        listeners.add(l);
    }

    void removeListener(Listener l) {
        listeners.remove(l);
    }

    public Optional<Plugin> find(Kind kind, String name) {
        return find(kind, name, null);
    }

    /**
     * The plugin of {@code name} a job gets: without a range the one that came first, else the
     * highest bundle version in {@code range} (the first of equal ones).
     */
    public Optional<Plugin> find(Kind kind, String name, VersionRange range) {
        List<Plugin> list = byName(kind).get(name);
        synchronized (this) {
            if (list == null || list.isEmpty()) {
                return Optional.empty();
            }
            if (range == null) {
                return Optional.of(list.get(0));
            }
            Plugin best = null;
            for (Plugin p : list) {
                if (range.includes(p.bundle().getVersion()) && (best == null || p.bundle().getVersion().compareTo(best.bundle().getVersion()) > 0)) {
                    best = p;
                }
            }
            return Optional.ofNullable(best);
        }
    }

    /** The bundle versions of {@code name} installed now, for messages. */
    public synchronized List<String> versions(Kind kind, String name) {
        List<Plugin> list = byName(kind).get(name);
        return list == null ? List.of() : list.stream().map(p -> p.bundle().getVersion().toString()).toList();
    }

    /** Every registered plugin, by kind then name. */
    public synchronized List<Plugin> all() {
        List<Plugin> result = new ArrayList<>();
        for (Kind k : Kind.values()) {
            byName(k).entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> result.addAll(e.getValue()));
        }
        return result;
    }

    public List<String> names(Kind kind) {
        return byName(kind).entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).sorted().toList();
    }

    private Map<String, List<Plugin>> byName(Kind kind) {
        return plugins.computeIfAbsent(kind, k -> new ConcurrentHashMap<>());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindBackend(StateBackend backend, ServiceReference<StateBackend> ref) {
        add(new Plugin(Kind.BACKEND, backend.name(), backend, ref.getBundle()));
    }

    void unbindBackend(StateBackend backend) {
        remove(Kind.BACKEND, backend);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindDecorator(StateBackendDecorator decorator, ServiceReference<StateBackendDecorator> ref) {
        add(new Plugin(Kind.DECORATOR, decorator.name(), decorator, ref.getBundle()));
    }

    void unbindDecorator(StateBackendDecorator decorator) {
        remove(Kind.DECORATOR, decorator);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindStorage(SnapshotStorageProvider storage, ServiceReference<SnapshotStorageProvider> ref) {
        add(new Plugin(Kind.STORAGE, storage.name(), storage, ref.getBundle()));
    }

    void unbindStorage(SnapshotStorageProvider storage) {
        remove(Kind.STORAGE, storage);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindFormat(SnapshotFormat format, ServiceReference<SnapshotFormat> ref) {
        add(new Plugin(Kind.FORMAT, format.name(), format, ref.getBundle()));
    }

    void unbindFormat(SnapshotFormat format) {
        remove(Kind.FORMAT, format);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(" + JobDefinition.NAME_PROPERTY + "=*)")
    void bindDefinition(JobDefinition definition, ServiceReference<JobDefinition> ref) {
        add(new Plugin(Kind.DEFINITION, String.valueOf(ref.getProperty(JobDefinition.NAME_PROPERTY)), definition, ref.getBundle()));
    }

    void unbindDefinition(JobDefinition definition) {
        remove(Kind.DEFINITION, definition);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(" + JobPlacement.NAME_PROPERTY + "=*)")
    void bindPlacement(JobPlacement placement, ServiceReference<JobPlacement> ref) {
        add(new Plugin(Kind.PLACEMENT, String.valueOf(ref.getProperty(JobPlacement.NAME_PROPERTY)), placement, ref.getBundle()));
    }

    void unbindPlacement(JobPlacement placement) {
        remove(Kind.PLACEMENT, placement);
    }

    private void add(Plugin p) {
        synchronized (this) {
            byName(p.kind()).computeIfAbsent(p.name(), n -> new ArrayList<>()).add(p);
        }
        listeners.forEach(l -> l.pluginAdded(p));
    }

    private void remove(Kind kind, Object service) {
        Plugin removed = null;
        Plugin successor = null;
        synchronized (this) {
            for (List<Plugin> list : byName(kind).values()) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i).service() == service) {
                        // no new job can pick it from now on; its current users stop below
                        removed = list.remove(i);
                        successor = i == 0 && !list.isEmpty() ? list.get(0) : null;
                        break;
                    }
                }
            }
        }
        if (removed == null) {
            return;
        }
        Plugin gone = removed;
        listeners.forEach(l -> l.pluginRemoved(gone));
        if (successor != null) {
            Plugin next = successor;
            listeners.forEach(l -> l.pluginAdded(next));
        }
    }
}
