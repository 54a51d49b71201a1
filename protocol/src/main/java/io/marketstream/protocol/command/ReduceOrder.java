package io.marketstream.protocol.command;

/**
 * Take {@code reduceBy} off a resting order's open quantity; the order keeps its place in the queue.
 * {@code reduceBy} must be less than the open quantity (to remove it all, cancel).
 */
public record ReduceOrder(String commandId, String market, long account, long orderId, String reduceBy, long ts)
        implements OrderCommand {
}
