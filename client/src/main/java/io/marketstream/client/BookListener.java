package io.marketstream.client;

import io.marketstream.protocol.marketdata.TradeMessage;

/** Callbacks from a {@link MarketDataClient}, on its WebSocket thread: do not block. */
public interface BookListener {
    /** The local book of {@code market} was verified at sequence {@code u} (after a snapshot or delta). */
    default void onBook(String market, long u) {
    }

    default void onTrade(TradeMessage trade) {
    }

    /** The local book failed a check and is being rebuilt from a fresh snapshot. */
    default void onResync(String market, String reason) {
    }
}
