/**
 * The parts of snapshot metadata that plugins produce and consume: handles to state files,
 * key-group sections with checksums, serializer snapshots, the backend-neutral entries every
 * backend exchanges with the kernel, and the formats sections are stored in.
 */
@Export
@Version("1.5.0")
package dev.cairn.spi.snapshot;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
