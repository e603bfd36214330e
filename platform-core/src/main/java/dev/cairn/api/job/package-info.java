/**
 * Building a job: replayable sources, key-by, keyed process functions with state and timers,
 * two-phase-commit sinks; and driving it: checkpoint options, savepoints, restore settings.
 */
@Export
@Version("1.2.0")
package dev.cairn.api.job;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
