package io.marketstream.client;

import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

/** Callbacks from a {@link MarketDataClient}, on its WebSocket thread: do not block. */
public interface BookListener {
    /** The local book of {@code market} was verified at sequence {@code u} (after a snapshot or delta). */
    default void onBook(String market, long u) {
    }

    /**
     * A book message of {@code market} passed both checks and is applied: {@code message} is the
     * snapshot or delta as received ({@code ts} is the submission time of the newest command it
     * covers, so {@code now - ts} is the command-to-client latency).
     */
    default void onBookMessage(String market, BookMessage message) {
    }

    default void onTrade(TradeMessage trade) {
    }

    /** The local book failed a check and is being rebuilt from a fresh snapshot. */
    default void onResync(String market, String reason) {
    }
}
