package io.marketstream.client;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import io.marketstream.protocol.MarketSpec;

/**
 * An immutable copy of a client's verified local book, taken in one step under the book's lock, so every
 * part of it (levels, best prices, spread, sequence) describes the same moment. Prices and quantities are
 * scaled {@code long}s of the market ({@link MarketSpec#formatPrice}, {@link MarketSpec#formatQty} turn them
 * into the wire's decimal strings).
 *
 * @param sequence the engine sequence {@code u} the book is verified at; {@code -1} while there is no
 *                 verified book (before the first snapshot, or while a resync is under way), in which case
 *                 both sides are empty
 * @param ts       the engine time (epoch ms) of the last event covered, 0 if none
 * @param bids     best (highest) first
 * @param asks     best (lowest) first
 */
public record OrderBookView(MarketSpec spec, long sequence, long ts, List<Level> bids, List<Level> asks) {
    /** One price level: the whole quantity resting at a price, both scaled. */
    public record Level(long price, long qty) {
    }

    public OrderBookView {
        bids = List.copyOf(bids);
        asks = List.copyOf(asks);
    }

    public String market() {
        return spec.symbol();
    }

    /** Whether the view holds a verified book (it may still have an empty side). */
    public boolean isVerified() {
        return sequence >= 0;
    }

    public Optional<Level> bestBid() {
        return bids.isEmpty() ? Optional.empty() : Optional.of(bids.get(0));
    }

    public Optional<Level> bestAsk() {
        return asks.isEmpty() ? Optional.empty() : Optional.of(asks.get(0));
    }

    /** Best ask minus best bid (scaled price), empty when a side is empty. */
    public OptionalLong spread() {
        if (bids.isEmpty() || asks.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(asks.get(0).price() - bids.get(0).price());
    }
}
