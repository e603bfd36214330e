package dev.cairn.spi.snapshot;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A snapshot format: how each key-group section of the shared layout is stored. The kernel frames
 * the entries of a key group, asks the format to encode them, and writes the result as one
 * checksummed section; reading reverses it. Registered as a service with property
 * {@code cairn.format=<name>}; a snapshot written with a format can be read only while it is
 * present. {@link #FULL} is the kernel's own encoding and needs no plugin.
 */
@ConsumerType
public interface SnapshotFormat {

    /** The kernel's own encoding: the framed entries as they are. */
    String FULL = "full";

    String name();

    /** Encodes the framed entries of one key group, {@code plain[0, length)}, into what is stored. */
    byte[] encode(byte[] plain, int length) throws IOException;

    /**
     * Decodes what {@link #encode} stored back into the framed entries. A section it cannot decode
     * throws an {@link IOException} saying why; the kernel adds the file and key group.
     */
    byte[] decode(byte[] stored) throws IOException;
}
