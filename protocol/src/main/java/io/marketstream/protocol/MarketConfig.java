package io.marketstream.protocol;

/**
 * One market as an operator writes it in a markets file (JSON): sizes as decimal strings in the
 * market's own units, so the file reads like the exchange's rule book. Absent optional fields take
 * {@link MarketSpec.Builder}'s defaults.
 *
 * <pre>{"symbol":"BTC-USD","priceScale":2,"qtyScale":4,"tickSize":"0.01","lotSize":"0.0001",
 *  "minQty":"0.0001","minNotional":"1.000000","maxPrice":"10000000.00","maxQty":"100000.0000",
 *  "priceBandBps":1000,"makerFeeBps":2,"takerFeeBps":5,"feeAccount":0,
 *  "selfTradePrevention":"CANCEL_NEWEST"}</pre>
 *
 * {@code minNotional} is a quote amount, with {@code priceScale + qtyScale} decimals at most.
 */
public record MarketConfig(String symbol, Integer priceScale, Integer qtyScale, String tickSize, String lotSize,
                           String minQty, String minNotional, String maxPrice, String maxQty, Integer priceBandBps,
                           Integer makerFeeBps, Integer takerFeeBps, Long feeAccount,
                           SelfTradePrevention selfTradePrevention) {

    /** @throws IllegalArgumentException naming the market and the field that is wrong */
    public MarketSpec toSpec() {
        if (symbol == null || priceScale == null || qtyScale == null) {
            throw new IllegalArgumentException("a market needs symbol, priceScale and qtyScale: " + this);
        }
        try {
            MarketSpec.Builder b = MarketSpec.builder(symbol, priceScale, qtyScale);
            int quoteScale = priceScale + qtyScale;
            if (tickSize != null) {
                b.tickSize(ScaledDecimal.parse(tickSize, priceScale));
            }
            if (lotSize != null) {
                b.lotSize(ScaledDecimal.parse(lotSize, qtyScale));
            }
            if (minQty != null) {
                b.minQty(ScaledDecimal.parse(minQty, qtyScale));
            }
            if (minNotional != null) {
                b.minNotional(ScaledDecimal.parse(minNotional, quoteScale));
            }
            if (maxPrice != null) {
                b.maxPrice(ScaledDecimal.parse(maxPrice, priceScale));
            }
            if (maxQty != null) {
                b.maxQty(ScaledDecimal.parse(maxQty, qtyScale));
            }
            if (priceBandBps != null) {
                b.priceBandBps(priceBandBps);
            }
            if (makerFeeBps != null) {
                b.makerFeeBps(makerFeeBps);
            }
            if (takerFeeBps != null) {
                b.takerFeeBps(takerFeeBps);
            }
            if (feeAccount != null) {
                b.feeAccount(feeAccount);
            }
            if (selfTradePrevention != null) {
                b.selfTradePrevention(selfTradePrevention);
            }
            return b.build();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("market " + symbol + ": " + e.getMessage(), e);
        }
    }
}
