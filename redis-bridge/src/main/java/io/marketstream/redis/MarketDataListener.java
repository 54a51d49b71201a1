package io.marketstream.redis;

/**
 * Receives the messages of a market-data channel. Called on the Redis client's I/O thread, in the
 * order Redis published them: implementations must not block.
 */
@FunctionalInterface
public interface MarketDataListener {
    /** @param payload the message's JSON exactly as published (encode once, forward as is) */
    void onMessage(String channel, String payload);
}
