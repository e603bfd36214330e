package dev.cairn.core.internal.platform;

/** A configuration value was refused; the message names the property, the value and what is allowed. */
public final class InvalidConfigurationException extends Exception {
    public InvalidConfigurationException(String message) {
        super(message);
    }

    public static InvalidConfigurationException of(String property, Object value, String allowed) {
        return new InvalidConfigurationException(printable(property) + "=" + printable(value) + " is not allowed: " + allowed);
    }

    /** The longest value a message quotes whole. */
    static final int QUOTED = 80;

    /**
     * Text as a message may quote it: a file of random bytes becomes escapes (backslash, u, four hex digits), not
     * terminal control sequences in the log and the console, and a long value is cut.
     */
    static String printable(Object value) {
        String s = String.valueOf(value);
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (; i < s.length() && b.length() < QUOTED; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || Character.isSurrogate(c) || !Character.isDefined(c) || c == '\uFFFD'
                    ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return i < s.length() ? b + "… (" + s.length() + " characters)" : b.toString();
    }
}
