package dev.cairn.spi.backend;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Decides, while a snapshot is written or during incremental cleanup, whether a stored element
 * (a value, a list element, a map value) is still live. Used for TTL.
 */
@ProviderType
@FunctionalInterface
public interface ElementFilter {
    boolean keep(Object element);
}
