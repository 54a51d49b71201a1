package io.marketstream.protocol.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What the matching engine says happened, on the engine-event topic keyed by market.
 *
 * <p>Ordering: within a market, {@code seq} runs 1, 2, 3… without gaps in the order the engine
 * decided; a consumer that sees a {@code seq} it already has is seeing a replay and drops it. One
 * command yields a run of consecutive events, all carrying its {@code commandId} and its {@code ts}
 * (the command's submission time, epoch ms; the engine never reads a clock, so replaying the same
 * commands yields the same events).
 *
 * <p>How an L2 book follows from the events: {@link OrderRested} adds its quantity at its price,
 * a {@link Trade} removes its quantity from the maker's side at its price, and an
 * {@link OrderCancelled} with {@code wasResting} removes its remaining quantity, an
 * {@link OrderReduced} removes its {@code reducedBy}. {@link OrderAccepted}, {@link OrderRejected} and
 * {@link BalanceChanged} leave the book as it was.
 *
 * <p>A rejection of a command for a market the engine does not know carries {@code seq} 0: it
 * belongs to no market's sequence.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = OrderAccepted.class, name = "accepted"),
        @JsonSubTypes.Type(value = OrderRejected.class, name = "rejected"),
        @JsonSubTypes.Type(value = OrderRested.class, name = "rested"),
        @JsonSubTypes.Type(value = OrderCancelled.class, name = "cancelled"),
        @JsonSubTypes.Type(value = Trade.class, name = "trade"),
        @JsonSubTypes.Type(value = OrderReduced.class, name = "reduced"),
        @JsonSubTypes.Type(value = BalanceChanged.class, name = "balance")})
public sealed interface EngineEvent
        permits OrderAccepted, OrderRejected, OrderRested, OrderCancelled, Trade, OrderReduced, BalanceChanged {
    String market();

    long seq();

    String commandId();

    long ts();

    /**
     * The accounts whose private streams this event belongs on: the order's owner, both sides of a
     * trade, the balance's owner. Empty for an event that concerns no account.
     */
    @JsonIgnore
    default long[] accounts() {
        return new long[0];
    }
}
