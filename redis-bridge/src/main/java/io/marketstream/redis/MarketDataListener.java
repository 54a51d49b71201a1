package io.marketstream.redis;

/**
 * Receives the messages of a market-data channel. Called on the Redis client's I/O thread, in the
 * order Redis published them: implementations must not block.
 */
@FunctionalInterface
public interface MarketDataListener {
    /** @param payload the message's JSON exactly as published (encode once, forward as is) */
    void onMessage(String channel, String payload);

    /**
     * The pub/sub connection was lost and is back, and Redis has confirmed the channel's
     * subscription again. Messages published while it was down were not delivered: read them with
     * {@link RedisMarketDataReader#historyAfter(String, long)} from the last sequence received (or
     * take a snapshot if the history no longer reaches back). Messages delivered from now on may
     * overlap what the history returns; drop what is not newer than what was already handled.
     */
    default void onResubscribed(String channel) {
    }
}
