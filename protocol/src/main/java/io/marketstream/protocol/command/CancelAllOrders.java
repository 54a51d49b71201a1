package io.marketstream.protocol.command;

/** Cancel every open order of {@code account} in {@code market} (oldest first). */
public record CancelAllOrders(String commandId, String market, long account, long ts) implements OrderCommand {
}
