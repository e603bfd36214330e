package dev.cairn.backend.changelog;

import dev.cairn.backend.heap.HeapStateBackend;
import dev.cairn.conformance.StateBackendConformanceTest;
import dev.cairn.spi.backend.StateBackend;
import java.time.Duration;

/** The changelog over the heap backend, checkpoints building on the log alone: no materialisation within a test's run. */
class ChangelogOverHeapConformanceTest extends StateBackendConformanceTest {
    private static final ChangelogDecorator CHANGELOG = new ChangelogDecorator();
    private static final ChangelogSettings LOG_ONLY = new ChangelogSettings(Duration.ofHours(1), 4 * 1024, Duration.ofMillis(10),
            1024 * 1024, 0);

    @Override
    protected StateBackend backend() {
        return CHANGELOG.wrap(new HeapStateBackend(), LOG_ONLY);
    }
}
