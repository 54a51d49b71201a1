package io.marketstream.bench;

import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderReduced;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.Trade;

/** Which engine events change a market's L2 book (as {@link EngineEvent}'s documentation says how). */
public final class BookChanges {
    private BookChanges() {
    }

    /**
     * Whether the event changes the book, so that the streams job publishes a book delta ending at its
     * {@code seq} (and, for a trade, a trade message).
     */
    public static boolean changesBook(EngineEvent event) {
        return event instanceof OrderRested || event instanceof OrderReduced || event instanceof Trade
                || (event instanceof OrderCancelled cancelled && cancelled.wasResting());
    }
}
