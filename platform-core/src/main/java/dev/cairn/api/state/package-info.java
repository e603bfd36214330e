/**
 * The keyed and operator state a job keeps: value, list, map, reducing and aggregating state,
 * their descriptors and time-to-live.
 */
@Export
@Version("0.2.0")
package dev.cairn.api.state;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
