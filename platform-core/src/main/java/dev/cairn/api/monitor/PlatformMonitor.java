package dev.cairn.api.monitor;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** The platform's jobs and plugins as they are now. Every call takes a fresh, consistent-per-job reading. */
@ProviderType
public interface PlatformMonitor {

    /** Every job the platform knows, in name order. */
    List<JobView> jobs();

    /** Per installed state backend (by name), its gauges, e.g. RocksDB's shared block cache use. */
    Map<String, Map<String, Long>> backendGauges();
}
