package io.marketstream.protocol.command;

/** Remove a resting order; only its owner may cancel it. */
public record CancelOrder(String commandId, String market, long account, long orderId, long ts)
        implements OrderCommand {
}
