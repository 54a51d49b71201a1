package io.marketstream.protocol.event;

import io.marketstream.protocol.Side;

/**
 * The order is done with {@code remainingQty} unfilled. If {@code wasResting}, that quantity leaves
 * the book at {@code price}; otherwise (the rest of a market order) the book is unchanged and
 * {@code price} is null.
 */
public record OrderCancelled(String market, long seq, String commandId, long ts, long orderId, long account,
                             Side side, String price, String remainingQty, boolean wasResting,
                             CancelReason reason) implements EngineEvent {
    @Override
    public long[] accounts() {
        return new long[] {account};
    }
}
