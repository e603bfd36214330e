package dev.cairn.backend.changelog;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = ChangelogDecorator.PID, name = "Cairn changelog",
        description = "How jobs with job.changelog=true log state changes and materialise the backend they wrap")
@interface ChangelogConfiguration {

    @AttributeDefinition(name = "Materialisation interval", description = "How often each subtask's backend is snapshotted in the"
            + " background, after which the log before it is dropped (a duration such as 500ms, 30s or 3m; at least 10ms)")
    String materialization$_$interval() default "3m";

    @AttributeDefinition(name = "Upload batch (KiB)", min = "1", max = "1048576",
            description = "A subtask's log is uploaded once this much has gathered, or at a checkpoint")
    int upload$_$batch$_$kb() default 512;

    @AttributeDefinition(name = "Upload delay", description = "Or once its oldest change has waited this long (a duration; 0ms uploads at every change)")
    String upload$_$delay() default "200ms";

    @AttributeDefinition(name = "Memory limit (MiB)", min = "1", max = "1048576",
            description = "Log bytes a subtask holds before they are uploaded; past it, state writes wait for uploads (back pressure)")
    int memory$_$limit$_$mb() default 64;

    @AttributeDefinition(name = "Upload retries", min = "0", max = "100",
            description = "Attempts after a failed upload before the checkpoints that need it fail (the next checkpoint then materialises)")
    int upload$_$retries() default 3;

    @AttributeDefinition(name = "Materialise at log size (%)", min = "0", max = "10000",
            description = "A materialisation also starts once a subtask's log since the last one holds this many percent of that"
                    + " materialisation's size, which bounds the space a checkpoint references and the replay on restore (0: the interval alone)")
    int materialization$_$log$_$percent() default 50;
}
