package io.marketstream.bench;

import java.time.Clock;
import java.time.Instant;

/**
 * Wall-clock time in microseconds since the epoch. Latency across processes on one machine is a
 * receive time from here minus a {@code ts} carried in the message (epoch ms): both read the same clock.
 */
public final class EpochMicros {
    private static final Clock CLOCK = Clock.systemUTC();

    private EpochMicros() {
    }

    public static long now() {
        Instant now = CLOCK.instant();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }
}
