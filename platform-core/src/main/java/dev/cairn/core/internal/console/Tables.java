package dev.cairn.core.internal.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text tables for the console and the offline tools: columns padded to their widest cell. */
public final class Tables {
    private final List<String[]> rows = new ArrayList<>();

    public Tables(String... header) {
        rows.add(header);
    }

    public Tables row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cells[i] == null ? "-" : cells[i].toString();
        }
        rows.add(r);
        return this;
    }

    @Override
    public String toString() {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns - 1; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                sb.append(i == columns - 1 ? r[i] : String.format(Locale.ROOT, "%-" + (width[i] + 2) + "s", r[i]));
            }
            sb.append('\n');
        }
        return sb.toString().stripTrailing();
    }

    private static final com.fasterxml.jackson.databind.ObjectWriter JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .writerWithDefaultPrettyPrinter();

    /** What {@code --json} prints: records and maps as indented JSON. */
    public static String json(Object value) throws java.io.IOException {
        return JSON.writeValueAsString(value);
    }

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }
}
