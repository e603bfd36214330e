/**
 * What a bundle provides to run jobs on the platform: job definitions, registered as OSGi
 * services and instantiated by job configurations ({@code cairn.job} factory configurations).
 */
@Export
@Version("0.1.0")
package dev.cairn.api.platform;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
