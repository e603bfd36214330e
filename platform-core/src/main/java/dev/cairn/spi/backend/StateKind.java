package dev.cairn.spi.backend;

/**
 * What a backend stores. Reducing and aggregating state are value state to a backend; the
 * kernel composes them (and TTL) on top.
 */
public enum StateKind { VALUE, LIST, MAP }
