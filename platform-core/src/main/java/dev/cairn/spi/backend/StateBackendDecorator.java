package dev.cairn.spi.backend;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A plugin that wraps whichever backend a job uses (the changelog does), registered as a service;
 * a job turns it on by name. The wrapper keeps the wrapped backend's name, so that snapshots and
 * checks name the backend that holds the state.
 *
 * @since 1.1
 */
@ConsumerType
public interface StateBackendDecorator {
    String name();

    StateBackend wrap(StateBackend backend);
}
