/**
 * What a state backend plugin implements: a keyed state backend per operator subtask, serving
 * value, list and map state for the current key and namespace, taking snapshots in a short
 * synchronous part and an asynchronous part, and restoring from handles of any key-group range.
 */
@Export
@Version("1.4.0")
package dev.cairn.spi.backend;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
