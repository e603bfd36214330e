package dev.cairn.format.canonical;

import dev.cairn.spi.snapshot.SnapshotFormat;
import java.io.IOException;
import java.util.Map;
import java.util.logging.Logger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The canonical snapshot format: the kernel's key-group layout (every backend writes and reads
 * the same entries, in each state's own serialized form) with each section stamped with this
 * format's version and compressed. What a backend switch, a key-group-count change and a
 * savepoint meant to outlive a platform version use.
 */
@Component(service = SnapshotFormat.class, configurationPid = CanonicalFormat.PID, property = "cairn.format=" + CanonicalFormat.NAME)
@Designate(ocd = CanonicalConfiguration.class)
public final class CanonicalFormat implements SnapshotFormat {

    public static final String NAME = "canonical";
    static final String PID = "cairn.format.canonical";
    private static final Logger LOG = Logger.getLogger(CanonicalFormat.class.getName());

    private volatile boolean compress = true;

    /** Embedded use (ServiceLoader): LZ4. */
    public CanonicalFormat() {
    }

    /** Embedded use with sections LZ4-compressed or stored plain. */
    public CanonicalFormat(boolean compress) {
        this.compress = compress;
    }

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        Object value = properties.getOrDefault("compression", "lz4");
        switch (String.valueOf(value)) {
            case "lz4" -> compress = true;
            case "none" -> compress = false;
            default -> LOG.warning("Configuration " + PID + ": compression=" + value + " is not allowed: use lz4 or none; keeping "
                    + (compress ? "lz4" : "none"));
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] encode(byte[] plain, int length) {
        return SectionCodec.encode(plain, length, compress);
    }

    @Override
    public byte[] decode(byte[] stored) throws IOException {
        return SectionCodec.decode(stored);
    }
}
