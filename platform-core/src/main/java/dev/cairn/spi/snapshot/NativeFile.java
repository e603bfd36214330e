package dev.cairn.spi.snapshot;

/**
 * One stored file of a native snapshot and where it goes in the backend's working directory:
 * all of local file {@code localName}, or, when {@code pieceLength >= 0}, the bytes
 * {@code [pieceOffset, pieceOffset + pieceLength)} of it, stored deflated (an append-only file
 * uploaded piece by piece).
 */
public record NativeFile(FileRef stored, String localName, long pieceOffset, long pieceLength) {

    public static NativeFile whole(FileRef stored, String localName) {
        return new NativeFile(stored, localName, 0, -1);
    }

    public boolean piece() {
        return pieceLength >= 0;
    }
}
