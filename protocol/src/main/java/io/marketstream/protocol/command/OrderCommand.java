package io.marketstream.protocol.command;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A command to the matching engine, as found on the order-command topic (keyed by market).
 * Prices and quantities are decimal strings: commands come from outside, and the engine validates
 * them against the market's rules, answering every command with events (an acceptance or a
 * rejection with a reason).
 *
 * <p>{@code commandId} is chosen by the sender and echoed on every event the command causes.
 * {@code ts} is the sender's submission time in epoch milliseconds, carried through to the wire so
 * that end-to-end latency can be measured.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = PlaceLimitOrder.class, name = "limit"),
        @JsonSubTypes.Type(value = PlaceMarketOrder.class, name = "market"),
        @JsonSubTypes.Type(value = CancelOrder.class, name = "cancel"),
        @JsonSubTypes.Type(value = CancelAllOrders.class, name = "cancel_all"),
        @JsonSubTypes.Type(value = ReduceOrder.class, name = "reduce"),
        @JsonSubTypes.Type(value = Deposit.class, name = "deposit"),
        @JsonSubTypes.Type(value = Withdraw.class, name = "withdraw")})
public sealed interface OrderCommand
        permits PlaceLimitOrder, PlaceMarketOrder, CancelOrder, CancelAllOrders, ReduceOrder, Deposit, Withdraw {
    String commandId();

    String market();

    long account();

    long ts();

    /** The sender's id for the order this command places; null for commands that place none. */
    default String clientOrderId() {
        return null;
    }
}
