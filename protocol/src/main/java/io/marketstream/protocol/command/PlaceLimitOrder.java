package io.marketstream.protocol.command;

import io.marketstream.protocol.Side;

/** Rest on the book at {@code price} for whatever does not match at once (good till cancelled). */
public record PlaceLimitOrder(String commandId, String market, long account, String clientOrderId,
                              Side side, String price, String qty, long ts) implements OrderCommand {
}
