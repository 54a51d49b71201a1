package io.marketstream.protocol.event;

import io.marketstream.protocol.Side;

/** What was left of a limit order after matching now rests on the book: add {@code qty} at {@code price}. */
public record OrderRested(String market, long seq, String commandId, long ts, long orderId, long account,
                          Side side, String price, String qty) implements EngineEvent {
    @Override
    public long[] accounts() {
        return new long[] {account};
    }
}
