package dev.cairn.api.monitor;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs one of Cairn's console commands ({@code set orders job.parallelism=2},
 * {@code discard orders orders/savepoints/s1} …) exactly as {@code bin/cairn} does: the same
 * commands only, the same validation, the same messages. Callers authenticate their users first
 * (see {@link ConsoleCredentials}).
 */
@ProviderType
public interface ConsoleCommands {

    /** What a command printed, and its exit code: 0 done, 1 refused or failed. */
    record Result(int exit, String output) {
    }

    Result execute(String commandLine);
}
