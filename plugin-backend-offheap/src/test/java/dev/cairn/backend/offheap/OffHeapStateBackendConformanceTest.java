package dev.cairn.backend.offheap;

import dev.cairn.conformance.StateBackendConformanceTest;
import dev.cairn.spi.backend.StateBackend;

class OffHeapStateBackendConformanceTest extends StateBackendConformanceTest {

    private static final OffHeapStateBackend BACKEND = new OffHeapStateBackend();

    @Override
    protected StateBackend backend() {
        return BACKEND;
    }
}
