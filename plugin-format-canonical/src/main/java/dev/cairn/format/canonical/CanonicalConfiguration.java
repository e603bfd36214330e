package dev.cairn.format.canonical;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(id = CanonicalFormat.PID, name = "Cairn canonical snapshot format",
        description = "The backend-neutral, version-stable format of savepoints that switch backends or key-group counts")
@interface CanonicalConfiguration {

    @AttributeDefinition(name = "Compression", description = "How each key-group section is compressed when written; "
            + "reading handles both, whatever this says",
            options = {@Option(label = "LZ4 (fast, about half the size of typical state)", value = "lz4"),
                    @Option(label = "None (largest, no CPU spent)", value = "none")})
    String compression() default "lz4";
}
