package dev.cairn.backend.heap;

import dev.cairn.conformance.StateBackendConformanceTest;
import dev.cairn.spi.backend.StateBackend;

class HeapStateBackendConformanceTest extends StateBackendConformanceTest {
    @Override
    protected StateBackend backend() {
        return new HeapStateBackend();
    }
}
