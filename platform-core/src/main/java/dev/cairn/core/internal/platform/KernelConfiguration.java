package dev.cairn.core.internal.platform;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = JobSupervisor.PID, name = "Cairn kernel", description = "Platform-wide settings of the job supervisor")
@interface KernelConfiguration {

    @AttributeDefinition(name = "Default storage root", required = false,
            description = "Absolute directory where 'file' storage keeps snapshots of jobs without storage.root; "
                    + "empty means <cairn.data>/snapshots")
    String storage_root();

    @AttributeDefinition(name = "Stop timeout",
            description = "How long a stop with savepoint (upgrade, plugin update, suspension) may take before the job is cancelled "
                    + "and resumes from its newest checkpoint instead")
    String stop_timeout() default "60s";
}
