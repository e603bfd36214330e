package dev.cairn.api.job;

/** Timers of the current key; they are part of keyed state and survive restore and rescale. */
public interface TimerService {
    long currentProcessingTime();

    /** {@code Long.MIN_VALUE} before the first watermark. */
    long currentWatermark();

    void registerEventTimeTimer(long time) throws Exception;

    void registerProcessingTimeTimer(long time) throws Exception;

    void deleteEventTimeTimer(long time) throws Exception;

    void deleteProcessingTimeTimer(long time) throws Exception;
}
