package dev.cairn.core.internal.catalog;

public enum SnapshotKind { CHECKPOINT, SAVEPOINT }
