package io.marketstream.protocol;

import java.util.Objects;

/**
 * The fixed rules of one market. Prices are scaled by {@code priceScale}, quantities by
 * {@code qtyScale}; {@code tickSize}, {@code lotSize} and {@code minQty} are in those scaled units.
 *
 * @param symbol     the market's name on every topic, key and channel, e.g. {@code BTC-USD}
 * @param base       the asset bought and sold
 * @param quote      the asset prices are quoted in
 * @param priceScale decimal places of a price
 * @param qtyScale   decimal places of a quantity
 * @param tickSize   a price must be a positive multiple of this
 * @param lotSize    a quantity must be a positive multiple of this
 * @param minQty     smallest quantity of an order
 */
public record MarketSpec(String symbol, String base, String quote, int priceScale, int qtyScale,
                         long tickSize, long lotSize, long minQty) {

    public MarketSpec {
        Objects.requireNonNull(symbol, "symbol");
        if (!symbol.matches("[A-Z0-9]{1,12}-[A-Z0-9]{1,12}")) {
            throw new IllegalArgumentException("market symbol must look like BASE-QUOTE, was " + symbol);
        }
        ScaledDecimal.unit(priceScale);
        ScaledDecimal.unit(qtyScale);
        if (tickSize <= 0 || lotSize <= 0 || minQty <= 0) {
            throw new IllegalArgumentException(symbol + ": tick, lot and min quantity must be positive");
        }
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

    public boolean isOnTick(long price) {
        return price % tickSize == 0;
    }

    public boolean isOnLot(long qty) {
        return qty % lotSize == 0;
    }
}
