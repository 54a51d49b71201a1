package io.marketstream.protocol;

import java.util.Objects;

/**
 * The rules of one market, from configuration. Prices are scaled by {@code priceScale}, quantities
 * (the base asset) by {@code qtyScale}, and quote amounts (price × quantity, fees in the quote asset,
 * quote balances) by {@link #quoteScale()} = {@code priceScale + qtyScale}, so that a notional is an
 * exact product and settlement never rounds.
 *
 * @param symbol              the market's name on every topic, key and channel, e.g. {@code BTC-USD}
 * @param base                the asset bought and sold
 * @param quote               the asset prices are quoted in
 * @param priceScale          decimal places of a price
 * @param qtyScale            decimal places of a quantity
 * @param tickSize            a price must be a positive multiple of this (scaled price)
 * @param lotSize             a quantity must be a positive multiple of this (scaled quantity)
 * @param minQty              smallest quantity of an order (scaled quantity)
 * @param minNotional         smallest price × quantity of a limit order (scaled quote amount); 0 for none
 * @param maxPrice            largest price accepted (scaled price): an absurd price is refused
 * @param maxQty              largest order quantity accepted (scaled quantity)
 * @param priceBandBps        a limit price may be at most this many basis points away from the last
 *                            trade price, and market orders sweep no further; 0 turns the band off
 * @param makerFeeBps         fee of the resting side, basis points of what it receives
 * @param takerFeeBps         fee of the incoming side, basis points of what it receives
 * @param feeAccount          the account fees are paid into
 * @param selfTradePrevention the default for orders that do not choose one
 */
public record MarketSpec(String symbol, String base, String quote, int priceScale, int qtyScale,
                         long tickSize, long lotSize, long minQty, long minNotional, long maxPrice, long maxQty,
                         int priceBandBps, int makerFeeBps, int takerFeeBps, long feeAccount,
                         SelfTradePrevention selfTradePrevention) {

    /**
     * The symbol's hash: consistent with {@link #equals} (equal specs have equal symbols) and cached by
     * {@link String}, where the record's own would combine all sixteen components on every call (the streams
     * job keys its per-event change sets by spec).
     */
    @Override
    public int hashCode() {
        return symbol.hashCode();
    }

    public MarketSpec {
        Objects.requireNonNull(symbol, "symbol");
        if (!symbol.matches("[A-Z0-9]{1,12}-[A-Z0-9]{1,12}")) {
            throw new IllegalArgumentException("market symbol must look like BASE-QUOTE, was " + symbol);
        }
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(quote, "quote");
        if (base.equals(quote)) {
            throw new IllegalArgumentException(symbol + ": base and quote must differ");
        }
        ScaledDecimal.unit(priceScale);
        ScaledDecimal.unit(qtyScale);
        ScaledDecimal.unit(priceScale + qtyScale);
        if (tickSize <= 0 || lotSize <= 0 || minQty <= 0) {
            throw new IllegalArgumentException(symbol + ": tick, lot and min quantity must be positive");
        }
        if (minNotional < 0 || maxPrice < tickSize || maxQty < minQty) {
            throw new IllegalArgumentException(symbol + ": min notional must be >= 0, max price >= tick, max qty >= min qty");
        }
        try {
            Math.multiplyExact(maxPrice, maxQty);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(symbol + ": max price × max qty must fit a quote amount", e);
        }
        if (priceBandBps < 0 || priceBandBps > 10_000 || makerFeeBps < 0 || makerFeeBps > 10_000
                || takerFeeBps < 0 || takerFeeBps > 10_000) {
            throw new IllegalArgumentException(symbol + ": band and fees must be between 0 and 10000 bps");
        }
        Objects.requireNonNull(selfTradePrevention, "selfTradePrevention");
    }

    /** A market with tick, lot and minimum of one unit, no notional minimum, no band and no fees. */
    public static Builder builder(String symbol, int priceScale, int qtyScale) {
        return new Builder(symbol, priceScale, qtyScale);
    }

    /** Decimal places of a quote amount: exact for any price × quantity. */
    public int quoteScale() {
        return priceScale + qtyScale;
    }

    /** The scale balances of {@code asset} are kept in here, or -1 if it is not this market's asset. */
    public int assetScale(String asset) {
        if (base.equals(asset)) {
            return qtyScale;
        }
        return quote.equals(asset) ? quoteScale() : -1;
    }

    public long parsePrice(String text) {
        return ScaledDecimal.parse(text, priceScale);
    }

    public String formatPrice(long price) {
        return ScaledDecimal.format(price, priceScale);
    }

    public long parseQty(String text) {
        return ScaledDecimal.parse(text, qtyScale);
    }

    public String formatQty(long qty) {
        return ScaledDecimal.format(qty, qtyScale);
    }

    public long parseQuote(String text) {
        return ScaledDecimal.parse(text, quoteScale());
    }

    public String formatQuote(long amount) {
        return ScaledDecimal.format(amount, quoteScale());
    }

    /** price × qty as a quote amount; exact (callers keep both below their maxima). */
    public long notional(long price, long qty) {
        return price * qty;
    }

    public boolean isOnTick(long price) {
        return price % tickSize == 0;
    }

    public boolean isOnLot(long qty) {
        return qty % lotSize == 0;
    }

    /** Builds a {@link MarketSpec}; every rule not set takes its permissive default. */
    public static final class Builder {
        private final String symbol;
        private final int priceScale;
        private final int qtyScale;
        private long tickSize = 1;
        private long lotSize = 1;
        private long minQty = 1;
        private long minNotional;
        private long maxPrice;
        private long maxQty;
        private int priceBandBps;
        private int makerFeeBps;
        private int takerFeeBps;
        private long feeAccount;
        private SelfTradePrevention selfTradePrevention = SelfTradePrevention.CANCEL_NEWEST;

        private Builder(String symbol, int priceScale, int qtyScale) {
            this.symbol = symbol;
            this.priceScale = priceScale;
            this.qtyScale = qtyScale;
            this.maxPrice = ScaledDecimal.unit(priceScale) * 10_000_000L;
            this.maxQty = Math.min(ScaledDecimal.unit(qtyScale) * 100_000L, Long.MAX_VALUE / maxPrice);
        }

        public Builder tickSize(long v) { tickSize = v; return this; }
        public Builder lotSize(long v) { lotSize = v; return this; }
        public Builder minQty(long v) { minQty = v; return this; }
        public Builder minNotional(long v) { minNotional = v; return this; }
        public Builder maxPrice(long v) { maxPrice = v; return this; }
        public Builder maxQty(long v) { maxQty = v; return this; }
        public Builder priceBandBps(int v) { priceBandBps = v; return this; }
        public Builder makerFeeBps(int v) { makerFeeBps = v; return this; }
        public Builder takerFeeBps(int v) { takerFeeBps = v; return this; }
        public Builder feeAccount(long v) { feeAccount = v; return this; }
        public Builder selfTradePrevention(SelfTradePrevention v) { selfTradePrevention = v; return this; }

        public MarketSpec build() {
            int dash = symbol == null ? -1 : symbol.indexOf('-');
            String base = dash < 0 ? "" : symbol.substring(0, dash);
            String quote = dash < 0 ? "" : symbol.substring(dash + 1);
            return new MarketSpec(symbol, base, quote, priceScale, qtyScale, tickSize, lotSize, minQty, minNotional,
                    maxPrice, maxQty, priceBandBps, makerFeeBps, takerFeeBps, feeAccount, selfTradePrevention);
        }
    }
}
