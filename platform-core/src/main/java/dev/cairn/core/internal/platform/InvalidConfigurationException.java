package dev.cairn.core.internal.platform;

/** A configuration value was refused; the message names the property, the value and what is allowed. */
public final class InvalidConfigurationException extends Exception {
    public InvalidConfigurationException(String message) {
        super(message);
    }

    public static InvalidConfigurationException of(String property, Object value, String allowed) {
        return new InvalidConfigurationException(property + "=" + value + " is not allowed: " + allowed);
    }
}
