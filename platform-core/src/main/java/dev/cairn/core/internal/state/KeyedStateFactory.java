package dev.cairn.core.internal.state;

import dev.cairn.api.job.NamespacedState;
import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.VoidNamespace;
import dev.cairn.api.state.AggregatingStateDescriptor;
import dev.cairn.api.state.MapStateDescriptor;
import dev.cairn.api.state.ReducingStateDescriptor;
import dev.cairn.api.state.State;
import dev.cairn.api.state.StateDescriptor;
import dev.cairn.core.internal.serialization.SerializerResolver;
import dev.cairn.spi.backend.InternalKvState;
import dev.cairn.spi.backend.InternalListState;
import dev.cairn.spi.backend.InternalMapState;
import dev.cairn.spi.backend.InternalValueState;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.backend.StateSpec;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Turns state descriptors into states on a keyed backend: resolves serializers, checks them
 * against the restored schema, adds TTL, and composes reducing and aggregating state.
 */
public final class KeyedStateFactory<K> {

    private final KeyedStateBackend<K> backend;
    private final SerializerResolver serializers;
    private final LongSupplier processingTime;
    private final String operatorUid;
    private final Map<String, Registered> registered = new HashMap<>();

    private record Registered(StateDescriptor.Kind kind, TypeSerializer<?> namespaceSerializer, Object userState) {
    }

    public KeyedStateFactory(KeyedStateBackend<K> backend, SerializerResolver serializers, LongSupplier processingTime,
                             String operatorUid) {
        this.backend = backend;
        this.serializers = serializers;
        this.processingTime = processingTime;
        this.operatorUid = operatorUid;
    }

    /** The user states registered so far (the platform's own, like timers, are not included). */
    public Set<String> registeredStates() {
        return registered.keySet();
    }

    public <S extends State> S getState(StateDescriptor<S, ?> descriptor) throws Exception {
        @SuppressWarnings("unchecked")
        InternalKvState<VoidNamespace>[] internal = new InternalKvState[1];
        S state = create(descriptor, Serializers.VOID_NAMESPACE, internal);
        internal[0].setCurrentNamespace(VoidNamespace.INSTANCE);
        return state;
    }

    public <N, S extends State> NamespacedState<N, S> getNamespacedState(TypeSerializer<N> namespaceSerializer,
                                                                        StateDescriptor<S, ?> descriptor) throws Exception {
        @SuppressWarnings("unchecked")
        InternalKvState<N>[] internal = new InternalKvState[1];
        S state = create(descriptor, namespaceSerializer, internal);
        InternalKvState<N> kv = internal[0];
        return namespace -> {
            kv.setCurrentNamespace(namespace);
            return state;
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <N, S extends State> S create(StateDescriptor<S, ?> d, TypeSerializer<N> nsSerializer,
                                          InternalKvState<N>[] internalOut) throws Exception {
        Registered existing = registered.get(d.getName());
        if (existing != null) {
            if (existing.kind != d.getKind() || existing.namespaceSerializer != nsSerializer) {
                throw new StateCompatibilityException("State '" + d.getName() + "' of operator '" + operatorUid
                        + "' is registered twice with different kinds or namespaces");
            }
        }
        TypeSerializer valueSerializer = serializers.resolve((TypeSerializer) d.getSerializer(), (Class) d.getType());
        TypeSerializer mapKeySerializer = null;
        if (d instanceof MapStateDescriptor<?, ?> m) {
            mapKeySerializer = serializers.resolveFixed((TypeSerializer) m.getKeySerializer(), (Class) m.getKeyType());
        }
        boolean ttl = d.getTtlConfig().isEnabled();
        TtlPolicy policy = ttl ? new TtlPolicy(d.getTtlConfig(), processingTime) : null;
        TypeSerializer stored = ttl ? new TtlSerializer<>(valueSerializer) : valueSerializer;
        StateKind kind = switch (d.getKind()) {
            case LIST -> StateKind.LIST;
            case MAP -> StateKind.MAP;
            default -> StateKind.VALUE;
        };
        StateMetaInfo meta = new StateMetaInfo(d.getName(), d.getKind().name(), SerializerSnapshotRef.of(nsSerializer),
                SerializerSnapshotRef.of(stored), mapKeySerializer == null ? null : SerializerSnapshotRef.of(mapKeySerializer), ttl);
        SerializerCompatibility compatibility = SchemaCheck.check(operatorUid, backend.restoredStates().get(d.getName()), meta,
                stored, mapKeySerializer, serializers.classLoader());
        StateSpec spec = new StateSpec(d.getName(), kind, nsSerializer, stored, mapKeySerializer,
                ttl ? policy.snapshotFilter() : null, ttl ? policy.cleanupFilter() : null, meta,
                ttl ? policy.compactionCleanup() : null);
        InternalKvState<N> internal = backend.createState(spec, compatibility);
        if (ttl) {
            internal = switch (kind) {
                case VALUE -> new TtlValueState<>((InternalValueState) internal, policy);
                case LIST -> new TtlListState<>((InternalListState) internal, policy);
                case MAP -> new TtlMapState<>((InternalMapState) internal, policy);
            };
        }
        Object user = switch (d.getKind()) {
            case VALUE -> UserStates.value((InternalValueState) internal);
            case LIST -> UserStates.list((InternalListState) internal);
            case MAP -> UserStates.map((InternalMapState) internal);
            case REDUCING -> UserStates.reducing((InternalValueState) internal, ((ReducingStateDescriptor) d).getReduceFunction());
            case AGGREGATING -> UserStates.aggregating((InternalValueState) internal, ((AggregatingStateDescriptor) d).getAggregateFunction());
        };
        registered.put(d.getName(), new Registered(d.getKind(), nsSerializer, user));
        internalOut[0] = internal;
        return (S) user;
    }
}
