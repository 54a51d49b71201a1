package io.marketstream.protocol.event;

import io.marketstream.protocol.Side;

/** The engine took the order and gave it {@code orderId}; {@code price} is null for a market order. */
public record OrderAccepted(String market, long seq, String commandId, long ts, long orderId, long account,
                            String clientOrderId, OrderType orderType, Side side, String price, String qty)
        implements EngineEvent {
}
