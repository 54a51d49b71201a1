package io.marketstream.protocol.marketdata;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Announces, on a channel other than a book, that messages were not delivered:
 * {@code {"ch":"trades.BTC-USD","type":"gap","after":1200,"reason":"slow_consumer","from":57,"to":63}}.
 * Messages with a sequence above {@code after} (the last one the client was sent, 0 if none) up to the next
 * one it receives are missing. For trades {@code from}..{@code to} are the trade ids left out when the
 * node knows them (the REST {@code /api/v1/trades} tape still has the latest ones). Ticker and candle
 * messages are complete states, so after a gap the next message is again the whole truth.
 *
 * @param reason {@link #SLOW_CONSUMER}, {@link #HISTORY_EXPIRED} (a resume asked for more than the history
 *               keeps) or {@link #UPSTREAM_GAP} (the node lost messages from Redis and could not recover them)
 */
public record GapMessage(@JsonProperty("ch") String channel, @JsonProperty("type") String type,
                         @JsonProperty("after") long after, @JsonProperty("reason") String reason,
                         @JsonProperty("from") Long fromId, @JsonProperty("to") Long toId) {
    public static final String GAP = "gap";
    public static final String SLOW_CONSUMER = "slow_consumer";
    public static final String HISTORY_EXPIRED = "history_expired";
    public static final String UPSTREAM_GAP = "upstream_gap";

    public static GapMessage of(String channel, long after, String reason, Long fromId, Long toId) {
        return new GapMessage(channel, GAP, after, reason, fromId, toId);
    }
}
