package io.marketstream.protocol.command;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.marketstream.protocol.SelfTradePrevention;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.TimeInForce;

/**
 * Buy or sell {@code qty} at {@code price} or better. Locks the funds it could spend (the quote
 * asset at {@code price} for a buy, the base asset for a sell) until it fills or is cancelled.
 *
 * @param tif      GTC (the default when null), IOC or FOK
 * @param postOnly when true, the order is rejected if any of it would trade on arrival
 * @param stp      self-trade prevention for this order; null takes the market's default
 */
public record PlaceLimitOrder(String commandId, String market, long account, String clientOrderId,
                              Side side, String price, String qty, TimeInForce tif, Boolean postOnly,
                              SelfTradePrevention stp, long ts) implements OrderCommand {

    /** A plain good-till-cancelled limit order. */
    public PlaceLimitOrder(String commandId, String market, long account, String clientOrderId, Side side,
                           String price, String qty, long ts) {
        this(commandId, market, account, clientOrderId, side, price, qty, null, null, null, ts);
    }

    @JsonIgnore
    public TimeInForce timeInForce() {
        return tif == null ? TimeInForce.GTC : tif;
    }

    @JsonIgnore
    public boolean isPostOnly() {
        return Boolean.TRUE.equals(postOnly);
    }
}
