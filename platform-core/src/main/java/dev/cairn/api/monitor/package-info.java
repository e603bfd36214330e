/**
 * A view of a running platform for monitoring and consoles outside the kernel (the web
 * console, the metrics endpoint): jobs with their counters and recent checkpoints, backend
 * gauges, a check of the console's credentials, its commands, and the checks its commands apply to a
 * configuration change (for editors such as Felix's web console). Provided by the kernel as OSGi services.
 */
@Export
@Version("2.1.0")
package dev.cairn.api.monitor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
