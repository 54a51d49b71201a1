package io.marketstream.streams;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.TickerMessage;

/**
 * One market's rolling 24-hour figures, from its one-minute candles: the closed ones with trades of
 * the last {@value #MINUTES} minutes (running sums; high and low recomputed only when a candle
 * leaves the window) plus the open one. The window slides once a minute, with event time.
 */
final class TickerWindow {
    static final int MINUTES = 1_440;
    private static final long MINUTE = KlineInterval.M1.millis();

    private final MarketSpec spec;
    private final String channel;
    private final ArrayDeque<Candle> closed = new ArrayDeque<>();
    private long baseVolume;
    private long quoteVolume;
    private long trades;
    private long high = Long.MIN_VALUE;
    private long low = Long.MAX_VALUE;

    TickerWindow(MarketSpec spec) {
        this.spec = spec;
        this.channel = Channels.ticker(spec.symbol());
    }

    /** Adds a closed one-minute candle with trades (in open-time order). */
    void add(Candle minute) {
        closed.addLast(minute.copy());
        baseVolume += minute.baseVolume;
        quoteVolume += minute.quoteVolume;
        trades += minute.trades;
        high = Math.max(high, minute.high);
        low = Math.min(low, minute.low);
    }

    /** Drops the candles that left the window ending with the minute at {@code currentMinuteOpen}; returns their open times. */
    List<Long> slide(long currentMinuteOpen) {
        long from = currentMinuteOpen - (MINUTES - 1) * MINUTE;
        List<Long> evicted = new ArrayList<>();
        while (!closed.isEmpty() && closed.peekFirst().openTime < from) {
            Candle old = closed.pollFirst();
            baseVolume -= old.baseVolume;
            quoteVolume -= old.quoteVolume;
            trades -= old.trades;
            evicted.add(old.openTime);
        }
        if (!evicted.isEmpty()) {
            high = Long.MIN_VALUE;
            low = Long.MAX_VALUE;
            for (Candle c : closed) {
                high = Math.max(high, c.high);
                low = Math.min(low, c.low);
            }
        }
        return evicted;
    }

    /**
     * The ticker now.
     *
     * @param minute the open one-minute candle (null before the first trade)
     */
    TickerMessage message(long seq, long engineSeq, long ts, Candle minute, Map.Entry<Long, Long> bid,
                          Map.Entry<Long, Long> ask) {
        String last = null;
        String open = null;
        String hi = null;
        String lo = null;
        String change = null;
        String changePercent = null;
        long base = baseVolume;
        long quote = quoteVolume;
        long count = trades;
        if (minute != null) {
            long h = high;
            long l = low;
            Long first = closed.isEmpty() ? null : closed.peekFirst().open;
            if (minute.trades > 0) {
                base += minute.baseVolume;
                quote += minute.quoteVolume;
                count += minute.trades;
                h = Math.max(h, minute.high);
                l = Math.min(l, minute.low);
                if (first == null) {
                    first = minute.open;
                }
            }
            long lastPrice = minute.close;
            last = spec.formatPrice(lastPrice);
            if (first == null) {
                // no trade in the last 24h: the market stands still at its last price
                first = lastPrice;
                h = lastPrice;
                l = lastPrice;
            }
            open = spec.formatPrice(first);
            hi = spec.formatPrice(h);
            lo = spec.formatPrice(l);
            change = spec.formatPrice(lastPrice - first);
            changePercent = BigDecimal.valueOf(lastPrice - first).multiply(BigDecimal.valueOf(100))
                    .divide(BigDecimal.valueOf(first), 2, RoundingMode.HALF_UP).toPlainString();
        }
        return new TickerMessage(channel, seq, engineSeq, last, open, hi, lo, change, changePercent,
                spec.formatQty(base), spec.formatQuote(quote), count,
                bid == null ? null : spec.formatPrice(bid.getKey()), bid == null ? null : spec.formatQty(bid.getValue()),
                ask == null ? null : spec.formatPrice(ask.getKey()), ask == null ? null : spec.formatQty(ask.getValue()),
                ts);
    }
}
