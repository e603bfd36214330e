/**
 * What a snapshot storage plugin implements: durable bytes under a root, with streaming
 * create, ranged reads, listing, deletion and an atomic write-once commit of metadata files.
 */
@Export
@Version("0.3.0")
package dev.cairn.spi.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
