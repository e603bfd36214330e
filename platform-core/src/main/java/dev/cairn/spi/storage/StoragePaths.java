package dev.cairn.spi.storage;

/** Path rules every storage and the snapshot catalog share. */
public final class StoragePaths {
    private StoragePaths() {
    }

    /**
     * Returns {@code path} if it is a plain relative path: no leading '/', no '\', no empty,
     * '.' or '..' segment, no control characters. Anything else could leave the root.
     */
    public static String requireRelative(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.indexOf('\\') >= 0
                || path.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("Path '" + path + "' is not a relative path inside the snapshot root");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("Path '" + path + "' leaves the snapshot root or has an empty segment");
            }
        }
        return path;
    }

    /** Joins relative paths with '/', validating the result. */
    public static String join(String first, String... more) {
        StringBuilder b = new StringBuilder(first);
        for (String m : more) {
            if (!m.isEmpty()) {
                b.append('/').append(m);
            }
        }
        return requireRelative(b.toString());
    }
}
