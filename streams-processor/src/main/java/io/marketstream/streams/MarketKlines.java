package io.marketstream.streams;

import java.util.List;
import java.util.function.Consumer;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;

/**
 * The open candle of every interval of one market, and each kline channel's message sequence.
 *
 * <p>Time is the partition's event time (the largest {@code ts} folded so far), never a wall clock,
 * so candles are a pure function of the events: {@link #advance} closes every candle whose interval
 * has ended by then, fills a quiet stretch with flat candles (at most {@value #MAX_FLAT_FILL} per
 * interval, the newest; history keeps no more than that anyway), and opens the current interval's
 * candle flat at the previous close. A market has no candles before its first trade.
 */
final class MarketKlines {
    /** Flat candles produced at most for one quiet stretch, per interval. */
    static final int MAX_FLAT_FILL = 1_000;
    static final KlineInterval[] INTERVALS = KlineInterval.values();

    private final MarketSpec spec;
    private final String[] channels = new String[INTERVALS.length];
    private final Candle[] current = new Candle[INTERVALS.length];
    private final long[] seqs = new long[INTERVALS.length];

    MarketKlines(MarketSpec spec) {
        this.spec = spec;
        for (int i = 0; i < INTERVALS.length; i++) {
            channels[i] = Channels.kline(spec.symbol(), INTERVALS[i]);
        }
    }

    MarketSpec spec() {
        return spec;
    }

    /** The open one-minute candle, or null before the market's first trade. */
    Candle currentMinute() {
        return current[0];
    }

    /**
     * Moves the candles to {@code clock}; returns whether the one-minute candle rolled over.
     *
     * @param closedMinutes receives each closed one-minute candle that had trades
     */
    boolean advance(long clock, long engineSeq, List<KlineMessage> out, Consumer<Candle> closedMinutes) {
        boolean minuteRolled = false;
        for (int i = 0; i < INTERVALS.length; i++) {
            Candle candle = current[i];
            KlineInterval interval = INTERVALS[i];
            long target = interval.openTime(clock);
            if (candle == null || target <= candle.openTime) {
                continue;
            }
            out.add(candle.message(spec, channels[i], interval, ++seqs[i], engineSeq, true, clock));
            if (i == 0) {
                minuteRolled = true;
                if (candle.trades > 0) {
                    closedMinutes.accept(candle);
                }
            }
            long price = candle.close;
            long firstFlat = Math.max(candle.openTime + interval.millis(), target - MAX_FLAT_FILL * interval.millis());
            for (long t = firstFlat; t < target; t += interval.millis()) {
                out.add(Candle.flat(t, price).message(spec, channels[i], interval, ++seqs[i], engineSeq, true, clock));
            }
            current[i] = Candle.flat(target, price);
            out.add(current[i].message(spec, channels[i], interval, ++seqs[i], engineSeq, false, clock));
        }
        return minuteRolled;
    }

    /** Adds a trade to every interval's candle at {@code clock} (call {@link #advance} to it first). */
    void trade(long clock, long price, long qty, long quote, long tradeId, long engineSeq, List<KlineMessage> out) {
        for (int i = 0; i < INTERVALS.length; i++) {
            if (current[i] == null) {
                current[i] = new Candle();
                current[i].openTime = INTERVALS[i].openTime(clock);
            }
            current[i].trade(price, qty, quote, tradeId);
            out.add(current[i].message(spec, channels[i], INTERVALS[i], ++seqs[i], engineSeq, false, clock));
        }
    }

    String encode() {
        StringBuilder sb = new StringBuilder(512);
        for (int i = 0; i < INTERVALS.length; i++) {
            sb.append(seqs[i]).append(i + 1 < INTERVALS.length ? "," : "");
        }
        for (Candle candle : current) {
            sb.append(';').append(candle == null ? "-" : candle.encode());
        }
        return sb.toString();
    }

    static MarketKlines decode(MarketSpec spec, String text) {
        MarketKlines klines = new MarketKlines(spec);
        String[] parts = text.split(";");
        String[] seqs = parts[0].split(",");
        for (int i = 0; i < INTERVALS.length; i++) {
            klines.seqs[i] = Long.parseLong(seqs[i]);
            klines.current[i] = "-".equals(parts[i + 1]) ? null : Candle.decode(parts[i + 1]);
        }
        return klines;
    }
}
