package dev.cairn.spi.snapshot;

/**
 * One entry of keyed state in the backend-neutral form, each part in the state's own serialized
 * form: for VALUE/REDUCING/AGGREGATING the value, for LIST one element per entry, for MAP one
 * map entry per entry ({@code mapKey} set). Any backend can write these and any backend can
 * read them: that is what makes backend switching possible.
 */
public record CanonicalEntry(String state, int keyGroup, byte[] key, byte[] namespace, byte[] mapKey, byte[] value) {
}
