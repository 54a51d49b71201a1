package io.marketstream.protocol.command;

import io.marketstream.protocol.Side;

/** Take {@code qty} from the book at any price; what the book cannot fill is cancelled. */
public record PlaceMarketOrder(String commandId, String market, long account, String clientOrderId,
                               Side side, String qty, long ts) implements OrderCommand {
}
