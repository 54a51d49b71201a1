package io.marketstream.protocol.marketdata;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.marketstream.protocol.event.EngineEvent;

/**
 * One update on an account's private channel: {@code orders.<account>} carries the engine's order
 * events that concern the account (accepted, rejected, rested, reduced, cancelled, trade — a trade
 * goes to both maker and taker), {@code balances.<account>} its {@code balance} events. The engine
 * event is carried unchanged in {@code e}.
 *
 * <p>{@code seq} numbers the channel's messages 1, 2, 3… without gaps; Redis assigns it when it
 * stores the message (the account's events come from several markets, processed independently), so a
 * writer leaves it 0 and the stored and published payload has it. Within one market the messages
 * keep engine order ({@code u}).
 *
 * @param market    the event's market
 * @param engineSeq the event's engine sequence in its market ({@code 0} for a rejection outside
 *                  any market sequence)
 */
@JsonPropertyOrder({"seq", "ch", "m", "u", "e"})
public record AccountMessage(
        @JsonProperty("seq") long seq,
        @JsonProperty("ch") String channel,
        @JsonProperty("m") String market,
        @JsonProperty("u") long engineSeq,
        @JsonProperty("e") EngineEvent event) {
}
