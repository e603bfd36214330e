package dev.cairn.api.serialization;

import java.io.DataInput;
import java.io.EOFException;

/**
 * A data input over a byte array that lets a serializer take bulk bytes where they lie: a
 * {@code String} or {@code byte[]} is built straight from the array, with no intermediate copy.
 * Restores hand serializers such an input; a serializer must not keep the array.
 */
public interface ByteArrayDataInput extends DataInput {

    /** The array the next bytes are read from. */
    byte[] array();

    /** The index in {@link #array()} of the next byte. */
    int position();

    /**
     * Moves past {@code count} bytes the caller took from {@link #array()} itself.
     *
     * @throws EOFException when fewer than {@code count} bytes remain (nothing is skipped then)
     */
    void advance(int count) throws EOFException;
}
