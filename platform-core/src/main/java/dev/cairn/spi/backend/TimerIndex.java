package dev.cairn.spi.backend;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The timers of one timer state, ordered by time, for firing. The timer state itself (a map from
 * time to a marker per key, kind {@code TIMERS}) stays what snapshots hold; the index is derived
 * from it, built from it when the backend restores, and never restored itself. The kernel adds
 * and removes each timer in both, so the index holds exactly the timers the state holds.
 */
@ConsumerType
public interface TimerIndex<K> {

    /** A timer: its time and the key it belongs to. */
    record Timer<K>(long time, K key) {
    }

    void add(long time, K key);

    void remove(long time, K key);

    /** Removes and returns the earliest timer at or before {@code maxTime}; {@code null} when there is none. */
    Timer<K> pollUpTo(long maxTime);
}
