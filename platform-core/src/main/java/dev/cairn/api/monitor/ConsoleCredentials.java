package dev.cairn.api.monitor;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Checks a secret presented to a console against the platform's console token (the one
 * {@code bin/cairn} reads from {@code <cairn.data>/console.token}), in constant time.
 */
@ProviderType
public interface ConsoleCredentials {

    boolean accepts(String presented);
}
