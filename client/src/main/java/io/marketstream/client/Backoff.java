package io.marketstream.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential from {@code min}, capped at {@code max}, with "equal jitter" (each delay
 * is drawn between half the capped value and the capped value), so that many clients dropped by the
 * same event do not come back in step, and no retry is ever immediate.
 */
public record Backoff(Duration min, Duration max) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

    /** @throws IllegalArgumentException unless {@code 0 < min <= max} */
    public Backoff {
        if (min == null || max == null || min.isZero() || min.isNegative()) {
            throw new IllegalArgumentException("back-off minimum must be positive, got " + min);
        }
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("back-off maximum " + max + " is below its minimum " + min);
        }
    }

    /**
     * The delay before retry number {@code attempt} (0 for the first retry after a drop): the cap is
     * {@code min * 2^attempt}, at most {@code max}; the delay is uniform in {@code [cap / 2, cap]}.
     */
    public Duration delay(int attempt, RandomGenerator random) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must not be negative, got " + attempt);
        }
        long minMillis = Math.max(1, min.toMillis());
        long maxMillis = Math.max(minMillis, max.toMillis());
        long cap = minMillis;
        for (int i = 0; i < attempt && cap < maxMillis; i++) {
            cap *= 2;
        }
        cap = Math.min(cap, maxMillis);
        long half = cap / 2;
        return Duration.ofMillis(half + random.nextLong(cap - half + 1));
    }
}
