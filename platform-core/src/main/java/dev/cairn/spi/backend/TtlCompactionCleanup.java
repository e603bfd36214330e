package dev.cairn.spi.backend;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Asks a backend that rewrites its data in the background (RocksDB's compactions) to drop expired
 * state there, without reading it through the job. Each stored element of such a state (a value,
 * a list element, a map value) begins with its TTL timestamp: 8 bytes, big-endian, milliseconds
 * of {@code clock}; it is expired once {@code timestamp + ttlMillis <= clock}. Backends without
 * background rewrites ignore it.
 *
 * @param ttlMillis              time to live of each element
 * @param clock                  the processing-time clock the timestamps are taken from; may be called from the backend's own threads
 * @param queryClockAfterEntries how many elements a rewrite may judge with one reading of the clock
 * @param periodicRewrite        how old data may get before the backend rewrites it only to drop what expired; {@link Duration#ZERO} for never
 */
public record TtlCompactionCleanup(long ttlMillis, LongSupplier clock, long queryClockAfterEntries, Duration periodicRewrite) {

    public TtlCompactionCleanup {
        if (ttlMillis <= 0 || queryClockAfterEntries <= 0 || periodicRewrite.isNegative()) {
            throw new IllegalArgumentException("ttlMillis and queryClockAfterEntries must be positive and periodicRewrite not negative, were "
                    + ttlMillis + ", " + queryClockAfterEntries + ", " + periodicRewrite);
        }
    }
}
