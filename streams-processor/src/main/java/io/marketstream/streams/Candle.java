package io.marketstream.streams;

import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;

/**
 * One candle being built, in scaled units: prices at the market's price scale, base volume at its
 * quantity scale, quote volume at its quote scale. Mutable; owned by one stream thread.
 */
final class Candle {
    long openTime;
    long open;
    long high;
    long low;
    long close;
    long baseVolume;
    long quoteVolume;
    long trades;
    long firstTradeId;
    long lastTradeId;

    /** A candle without trades at the previous close: open = high = low = close, no volume. */
    static Candle flat(long openTime, long price) {
        Candle c = new Candle();
        c.openTime = openTime;
        c.open = price;
        c.high = price;
        c.low = price;
        c.close = price;
        return c;
    }

    void trade(long price, long qty, long quote, long tradeId) {
        if (trades == 0) {
            open = price;
            high = price;
            low = price;
            firstTradeId = tradeId;
        } else {
            high = Math.max(high, price);
            low = Math.min(low, price);
        }
        close = price;
        baseVolume += qty;
        quoteVolume += quote;
        trades++;
        lastTradeId = tradeId;
    }

    KlineMessage message(MarketSpec spec, String channel, KlineInterval interval, long seq, long engineSeq,
                         boolean closed, long ts) {
        return new KlineMessage(channel, seq, engineSeq, interval, openTime, openTime + interval.millis() - 1,
                spec.formatPrice(open), spec.formatPrice(high), spec.formatPrice(low), spec.formatPrice(close),
                spec.formatQty(baseVolume), spec.formatQuote(quoteVolume), trades, firstTradeId, lastTradeId,
                closed, ts);
    }

    String encode() {
        return openTime + "," + open + "," + high + "," + low + "," + close + "," + baseVolume + "," + quoteVolume
                + "," + trades + "," + firstTradeId + "," + lastTradeId;
    }

    static Candle decode(String text) {
        String[] f = text.split(",");
        Candle c = new Candle();
        c.openTime = Long.parseLong(f[0]);
        c.open = Long.parseLong(f[1]);
        c.high = Long.parseLong(f[2]);
        c.low = Long.parseLong(f[3]);
        c.close = Long.parseLong(f[4]);
        c.baseVolume = Long.parseLong(f[5]);
        c.quoteVolume = Long.parseLong(f[6]);
        c.trades = Long.parseLong(f[7]);
        c.firstTradeId = Long.parseLong(f[8]);
        c.lastTradeId = Long.parseLong(f[9]);
        return c;
    }

    Candle copy() {
        return decode(encode());
    }
}
