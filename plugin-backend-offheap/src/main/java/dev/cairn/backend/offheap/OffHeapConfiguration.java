package dev.cairn.backend.offheap;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = OffHeapStateBackend.PID, name = "Cairn off-heap state backend",
        description = "Local recovery of the off-heap backend's checkpoints")
@interface OffHeapConfiguration {

    @AttributeDefinition(name = "Local recovery",
            description = "Keep a copy of each subtask's last completed checkpoints on local disk and restore from it after a failure")
    boolean local$_$recovery() default true;
}
