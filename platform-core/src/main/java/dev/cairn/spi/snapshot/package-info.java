/**
 * The parts of snapshot metadata that plugins produce and consume: handles to state files,
 * key-group sections with checksums, serializer snapshots, canonical entries and formats.
 */
@Export
@Version("0.1.0")
package dev.cairn.spi.snapshot;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
