package io.marketstream.protocol.marketdata;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The rolling 24-hour ticker on channel {@code ticker.<market>}. The window is the last 1,440
 * one-minute candles up to and including the current one (it slides once a minute), not the
 * calendar day. Fields that do not exist yet (no trade in the window, an empty book side) are left
 * out. Every message is the complete ticker.
 *
 * @param seq         the channel's message sequence: 1, 2, 3… without gaps, assigned by Redis; a
 *                    writer puts its own version of the channel here (as for {@link KlineMessage})
 * @param engineSeq   the engine sequence of the market's last event included
 * @param last        price of the market's last trade (even if older than 24h)
 * @param open        price of the first trade in the window
 * @param high        highest trade price in the window
 * @param low         lowest trade price in the window
 * @param change      last − open, in price units
 * @param changePercent (last − open) / open × 100, rounded half-up to two decimals
 * @param baseVolume  traded base quantity in the window
 * @param quoteVolume traded quote amount in the window
 * @param trades      number of trades in the window
 * @param bid         best bid price, {@code bidQty} the quantity there
 * @param ask         best ask price, {@code askQty} the quantity there
 * @param ts          the latest event time seen (epoch ms)
 */
public record TickerMessage(
        @JsonProperty("ch") String channel,
        @JsonProperty("seq") long seq,
        @JsonProperty("u") long engineSeq,
        @JsonProperty("last") String last,
        @JsonProperty("open") String open,
        @JsonProperty("high") String high,
        @JsonProperty("low") String low,
        @JsonProperty("chg") String change,
        @JsonProperty("chgPct") String changePercent,
        @JsonProperty("v") String baseVolume,
        @JsonProperty("q") String quoteVolume,
        @JsonProperty("n") long trades,
        @JsonProperty("bid") String bid,
        @JsonProperty("bidQty") String bidQty,
        @JsonProperty("ask") String ask,
        @JsonProperty("askQty") String askQty,
        @JsonProperty("ts") long ts) {
}
