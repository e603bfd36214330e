package dev.cairn.core.internal.snapshot;

import dev.cairn.spi.snapshot.InPlaceEntrySink;
import dev.cairn.spi.snapshot.KeyGroupChanges;
import dev.cairn.spi.snapshot.StateEntrySink;
import java.io.IOException;
import java.util.Arrays;

/** Reads what {@link SectionBuilder} framed, handing each entry (and a delta's removals) on with its state index mapped. */
final class SectionParser {

    private final byte[] bytes;
    /** Whether nothing changes {@link #bytes} any more, so that a sink may keep them. */
    private final boolean kept;
    private int position;
    private byte[] parts = new byte[256];
    private int partsLength;

    private SectionParser(byte[] bytes, boolean kept) {
        this.bytes = bytes;
        this.kept = kept;
    }

    /**
     * @param kept     whether {@code section} is the kernel's own and nothing changes it any more:
     *                 then an {@link InPlaceEntrySink} gets the entries where they lie
     * @param stateMap the index of each of the section's states in what {@code sink} expects, or
     *                 -1 to skip that state's entries
     */
    static void parse(byte[] section, boolean kept, int[] stateMap, StateEntrySink sink) throws IOException {
        new SectionParser(section, kept).parse(stateMap, sink);
    }

    /** A delta section: its removals, then its changed entries (see {@link SectionBuilder}). */
    static void parseDelta(byte[] section, int[] stateMap, KeyGroupChanges.RemovalSink removals, StateEntrySink sink) throws IOException {
        SectionParser parser = new SectionParser(section, false);
        parser.parseRemovals(stateMap, removals);
        parser.parse(stateMap, sink);
    }

    private void parseRemovals(int[] stateMap, KeyGroupChanges.RemovalSink sink) throws IOException {
        for (int state = readVarint(); state != 0; state = readVarint()) {
            int target = target(stateMap, state);
            for (int keyLength = readVarint() - 1; keyLength != -1; keyLength = readVarint() - 1) {
                byte[] key = take(keyLength);
                byte[] namespace = take(readVarint());
                if (target >= 0) {
                    sink.removed(target, key, namespace);
                }
            }
        }
    }

    private byte[] take(int n) throws IOException {
        partsLength = 0;
        copy(n);
        return Arrays.copyOf(parts, n);
    }

    private static int target(int[] stateMap, int state) throws IOException {
        if (state > stateMap.length) {
            throw new IOException("entries of state #" + (state - 1) + ", but the handle describes " + stateMap.length + " states");
        }
        return stateMap[state - 1];
    }

    private void parse(int[] stateMap, StateEntrySink sink) throws IOException {
        if (kept && sink instanceof InPlaceEntrySink inPlace) {
            parseInPlace(stateMap, inPlace);
            return;
        }
        for (int state = readVarint(); state != 0; state = readVarint()) {
            int target = target(stateMap, state);
            for (int keyLength = readVarint() - 1; keyLength != -1; keyLength = readVarint() - 1) {
                // the parts are copied back to back into one reused buffer: no array per part
                partsLength = 0;
                copy(keyLength);
                int namespaceLength = readVarint();
                copy(namespaceLength);
                int mapKeyLength = mapKeyLength();
                copy(Math.max(mapKeyLength, 0));
                int valueLength = readVarint();
                copy(valueLength);
                if (target >= 0) {
                    sink.accept(target, parts, keyLength, namespaceLength, mapKeyLength, valueLength);
                }
            }
        }
        if (position != bytes.length) {
            throw new IOException((bytes.length - position) + " bytes after the end of the section");
        }
    }

    /** The same walk, handing each entry's parts where they lie. */
    private void parseInPlace(int[] stateMap, InPlaceEntrySink sink) throws IOException {
        for (int state = readVarint(); state != 0; state = readVarint()) {
            int target = target(stateMap, state);
            for (int keyLength = readVarint() - 1; keyLength != -1; keyLength = readVarint() - 1) {
                int keyOffset = skip(keyLength);
                int namespaceLength = readVarint();
                int namespaceOffset = skip(namespaceLength);
                int mapKeyLength = mapKeyLength();
                int mapKeyOffset = mapKeyLength < 0 ? -1 : skip(mapKeyLength);
                int valueLength = readVarint();
                int valueOffset = skip(valueLength);
                if (target >= 0) {
                    sink.acceptInPlace(target, bytes, keyOffset, keyLength, namespaceOffset, namespaceLength, mapKeyOffset, mapKeyLength,
                            valueOffset, valueLength);
                }
            }
        }
        if (position != bytes.length) {
            throw new IOException((bytes.length - position) + " bytes after the end of the section");
        }
    }

    /** A map key's length, -1 for none. */
    private int mapKeyLength() throws IOException {
        int length = readVarint() - 1;
        if (length < -1) {
            throw new IOException("a malformed map key length at byte " + position);
        }
        return length;
    }

    /** Passes over a part of {@code n} bytes; returns where it starts. */
    private int skip(int n) throws IOException {
        if (n < 0 || n > bytes.length - position) {
            throw new IOException("an entry part of " + n + " bytes runs past the end of the section at byte " + position);
        }
        int start = position;
        position += n;
        return start;
    }

    private void copy(int n) throws IOException {
        if (n < 0 || n > bytes.length - position) {
            throw new IOException("an entry part of " + n + " bytes runs past the end of the section at byte " + position);
        }
        if (partsLength + n > parts.length) {
            parts = Arrays.copyOf(parts, Math.max(parts.length * 2, partsLength + n));
        }
        System.arraycopy(bytes, position, parts, partsLength, n);
        partsLength += n;
        position += n;
    }

    private int readVarint() throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (position >= bytes.length) {
                throw new IOException("the section ends inside an entry");
            }
            byte b = bytes[position++];
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("a malformed length at byte " + position);
    }
}
