package io.marketstream.protocol.event;

import io.marketstream.protocol.Side;
import io.marketstream.protocol.TimeInForce;

/**
 * The engine took the order and gave it {@code orderId}. For a limit order {@code price}, {@code qty}
 * and {@code tif} are set; a market order has {@code qty} or {@code quoteAmount} and no price.
 */
public record OrderAccepted(String market, long seq, String commandId, long ts, long orderId, long account,
                            String clientOrderId, OrderType orderType, Side side, String price, String qty,
                            String quoteAmount, TimeInForce tif, boolean postOnly) implements EngineEvent {
    @Override
    public long[] accounts() {
        return new long[] {account};
    }
}
