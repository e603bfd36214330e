package dev.cairn.spi.backend;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

@ConsumerType
public interface InternalMapState<N, UK, UV> extends InternalKvState<N> {
    UV get(UK key);

    void put(UK key, UV value);

    void remove(UK key);

    boolean contains(UK key);

    /** A copy of the entries of the current key and namespace (empty when absent). */
    Map<UK, UV> entries();
}
