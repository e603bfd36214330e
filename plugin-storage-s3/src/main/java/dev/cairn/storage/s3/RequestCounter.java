package dev.cairn.storage.s3;

import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** Counts HTTP requests, one per attempt, so that the cost of a checkpoint can be reported. */
final class RequestCounter implements ExecutionInterceptor {
    private final AtomicInteger requests;

    RequestCounter(AtomicInteger requests) {
        this.requests = requests;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes executionAttributes) {
        requests.incrementAndGet();
    }
}
