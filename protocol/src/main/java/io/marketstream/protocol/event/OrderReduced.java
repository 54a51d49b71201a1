package io.marketstream.protocol.event;

import io.marketstream.protocol.Side;

/**
 * A resting order's open quantity went down by {@code reducedBy} to {@code remainingQty}, keeping its
 * time priority: the book loses {@code reducedBy} at {@code price}.
 */
public record OrderReduced(String market, long seq, String commandId, long ts, long orderId, long account,
                           Side side, String price, String reducedBy, String remainingQty) implements EngineEvent {
    @Override
    public long[] accounts() {
        return new long[] {account};
    }
}
