package io.marketstream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    @Test
    void shouldDoubleTheCapPerAttemptWithinEqualJitter() {
        SplittableRandom random = new SplittableRandom(7);
        for (int attempt = 0; attempt < 12; attempt++) {
            long cap = Math.min(5000, 100L << attempt);
            for (int i = 0; i < 200; i++) {
                long delay = backoff.delay(attempt, random).toMillis();
                assertThat(delay).as("attempt %d", attempt).isBetween(cap / 2, cap);
            }
        }
    }

    @Test
    void shouldSpreadDelaysSoDroppedClientsDoNotReturnInStep() {
        SplittableRandom random = new SplittableRandom(11);
        long distinct = java.util.stream.IntStream.range(0, 100)
                .mapToLong(i -> backoff.delay(3, random).toMillis()).distinct().count();
        assertThat(distinct).isGreaterThan(50);
    }

    @Test
    void shouldStayAtTheMaximumForever() {
        assertThat(backoff.delay(10_000, new SplittableRandom(1)).toMillis()).isBetween(2500L, 5000L);
    }

    @Test
    void shouldRejectBadBounds() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minimum must be positive");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below its minimum");
        assertThatThrownBy(() -> backoff.delay(-1, new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
