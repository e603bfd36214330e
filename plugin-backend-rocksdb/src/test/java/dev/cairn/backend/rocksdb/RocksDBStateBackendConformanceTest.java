package dev.cairn.backend.rocksdb;

import dev.cairn.conformance.StateBackendConformanceTest;
import dev.cairn.spi.backend.StateBackend;

class RocksDBStateBackendConformanceTest extends StateBackendConformanceTest {

    private static final RocksDBStateBackend BACKEND = new RocksDBStateBackend();

    @Override
    protected StateBackend backend() {
        return BACKEND;
    }
}
