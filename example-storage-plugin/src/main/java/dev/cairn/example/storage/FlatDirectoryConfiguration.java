package dev.cairn.example.storage;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** What an operator can set for the plugin (pid {@code cairn.storage.flatdir}); the console validates against it. */
@ObjectClassDefinition(id = FlatDirectoryStorageProvider.PID, name = "Example flat-directory snapshot storage")
@interface FlatDirectoryConfiguration {

    @AttributeDefinition(description = "Absolute directory that holds one file per object; a job may name its own with storage.directory")
    String directory() default "";
}
