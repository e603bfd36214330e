/**
 * Running jobs inside an ordinary JVM (tests, examples, benchmarks), with plugins found on the
 * class path. On the platform, jobs are configured instead and the kernel runs them.
 */
@Export
@Version("0.1.0")
package dev.cairn.api.embedded;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
