package dev.cairn.backend.rocksdb;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = RocksDBStateBackend.PID, name = "Cairn RocksDB state backend",
        description = "Memory shared by every RocksDB instance on the platform, and local recovery")
@interface RocksDBConfiguration {

    @AttributeDefinition(name = "Block cache (MiB)", min = "8", max = "1048576",
            description = "One LRU block cache for all RocksDB instances; memtables are charged to it")
    int block$_$cache$_$mb() default 256;

    @AttributeDefinition(name = "Write buffers (MiB)", min = "4", max = "1048576",
            description = "Memtable budget shared by all RocksDB instances (part of the block cache)")
    int write$_$buffer$_$mb() default 64;

    @AttributeDefinition(name = "Local recovery",
            description = "Keep each subtask's last completed checkpoint on local disk (hard links) and restore from it after a failure")
    boolean local$_$recovery() default true;
}
