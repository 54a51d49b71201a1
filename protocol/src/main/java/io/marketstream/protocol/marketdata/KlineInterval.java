package io.marketstream.protocol.marketdata;

import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The candle intervals, by their wire code ({@code 1m} … {@code 1d}). Intervals are aligned to the
 * epoch (UTC): a candle opens at a multiple of its length.
 */
public enum KlineInterval {
    M1("1m", 60_000L),
    M5("5m", 5 * 60_000L),
    M15("15m", 15 * 60_000L),
    H1("1h", 3_600_000L),
    H4("4h", 4 * 3_600_000L),
    D1("1d", 24 * 3_600_000L);

    private final String code;
    private final long millis;

    KlineInterval(String code, long millis) {
        this.code = code;
        this.millis = millis;
    }

    @JsonValue
    public String code() {
        return code;
    }

    public long millis() {
        return millis;
    }

    /** The open time of the candle that contains {@code ts} (epoch ms). */
    public long openTime(long ts) {
        return Math.floorDiv(ts, millis) * millis;
    }

    public static Optional<KlineInterval> fromCode(String code) {
        for (KlineInterval interval : values()) {
            if (interval.code.equals(code)) {
                return Optional.of(interval);
            }
        }
        return Optional.empty();
    }

    @JsonCreator
    static KlineInterval ofCode(String code) {
        return fromCode(code).orElseThrow(() -> new IllegalArgumentException("unknown kline interval " + code));
    }
}
