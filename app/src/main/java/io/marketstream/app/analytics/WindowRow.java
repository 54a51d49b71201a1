package io.marketstream.app.analytics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

import io.marketstream.protocol.MarketSpec;

/**
 * One closed one-minute window's figures: of a market ({@code account} null) or of one account in a market.
 * Volumes are exact (scaled to the market's quantity and quote scales); VWAP is quote volume over base volume,
 * rounded half up to the market's price scale.
 *
 * <p>CSV: {@code kind,window_start,market,account,trades,base_volume,quote_volume,vwap} with {@code kind}
 * {@code market} or {@code account}, {@code window_start} an ISO-8601 UTC instant, decimals as in the topics.
 */
public record WindowRow(long windowStart, String market, Long account, long trades, BigDecimal baseVolume,
                        BigDecimal quoteVolume, BigDecimal vwap) {
    public static final String HEADER = "kind,window_start,market,account,trades,base_volume,quote_volume,vwap";

    static WindowRow of(MarketSpec spec, long windowStart, Long account, long trades, long base, long quote) {
        BigDecimal baseVolume = BigDecimal.valueOf(base, spec.qtyScale());
        BigDecimal quoteVolume = BigDecimal.valueOf(quote, spec.quoteScale());
        BigDecimal vwap = base == 0 ? null : quoteVolume.divide(baseVolume, spec.priceScale(), RoundingMode.HALF_UP);
        return new WindowRow(windowStart, spec.symbol(), account, trades, baseVolume, quoteVolume, vwap);
    }

    /** What identifies the row: a reader that may see a row twice (after a crash) keeps one per key. */
    public String key() {
        return windowStart + "|" + market + "|" + (account == null ? "" : account);
    }

    public String csv() {
        return (account == null ? "market" : "account") + "," + Instant.ofEpochMilli(windowStart) + "," + market + ","
                + (account == null ? "" : account) + "," + trades + "," + baseVolume.toPlainString() + ","
                + quoteVolume.toPlainString() + "," + (vwap == null ? "" : vwap.toPlainString());
    }
}
