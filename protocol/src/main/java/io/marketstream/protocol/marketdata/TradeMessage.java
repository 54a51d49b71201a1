package io.marketstream.protocol.marketdata;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.marketstream.protocol.Side;

/**
 * One trade on channel {@code trades.<market>}. {@code seq} is the engine sequence of the trade
 * event; {@code id} the market's trade id (consecutive), so a client sees a missed trade as a gap in
 * {@code id}.
 */
public record TradeMessage(
        @JsonProperty("ch") String channel,
        @JsonProperty("seq") long seq,
        @JsonProperty("id") long tradeId,
        @JsonProperty("px") String price,
        @JsonProperty("qty") String qty,
        @JsonProperty("side") Side takerSide,
        @JsonProperty("ts") long ts) {
}
