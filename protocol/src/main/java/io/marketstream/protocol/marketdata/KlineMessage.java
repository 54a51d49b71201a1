package io.marketstream.protocol.marketdata;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One candle on channel {@code kline.<market>.<interval>}: its state after the update. Every message
 * carries the whole candle, so the latest message for an open time {@code t} is that candle; a
 * candle is final once a message with {@code x} (closed) true was sent for it. An interval without
 * trades yields a flat candle: open = high = low = close = the previous close, zero volume, no trade
 * ids (0).
 *
 * @param seq        the channel's message sequence: 1, 2, 3… without gaps (resume), assigned by Redis
 *                   as it stores the message; a writer puts its own version of the channel here
 *                   (strictly increasing per channel), which Redis uses to drop replays and then
 *                   replaces (see {@code publish_market.lua})
 * @param engineSeq  the engine sequence of the market's last event this candle state includes
 * @param openTime   start of the interval, epoch ms, inclusive
 * @param closeTime  end of the interval, epoch ms, inclusive ({@code openTime + length - 1})
 * @param baseVolume sum of traded quantities (base asset)
 * @param quoteVolume sum of price × quantity (quote asset)
 * @param trades     number of trades
 * @param firstTradeId id of the first trade in the candle, 0 if none
 * @param lastTradeId  id of the last trade in the candle, 0 if none
 * @param closed     whether the interval is over and the candle final
 * @param ts         the time the candle state was computed at: the latest event time seen (epoch ms)
 */
public record KlineMessage(
        @JsonProperty("ch") String channel,
        @JsonProperty("seq") long seq,
        @JsonProperty("u") long engineSeq,
        @JsonProperty("i") KlineInterval interval,
        @JsonProperty("t") long openTime,
        @JsonProperty("T") long closeTime,
        @JsonProperty("o") String open,
        @JsonProperty("h") String high,
        @JsonProperty("l") String low,
        @JsonProperty("c") String close,
        @JsonProperty("v") String baseVolume,
        @JsonProperty("q") String quoteVolume,
        @JsonProperty("n") long trades,
        @JsonProperty("f") long firstTradeId,
        @JsonProperty("L") long lastTradeId,
        @JsonProperty("x") boolean closed,
        @JsonProperty("ts") long ts) {
}
