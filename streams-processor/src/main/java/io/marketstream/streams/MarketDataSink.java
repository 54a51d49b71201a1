package io.marketstream.streams;

import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * Where the topology's market data goes (Redis in production, a recorder in tests). Called on a
 * stream thread, in each market's sequence order; a call that throws fails the task, so the records
 * are processed again after restart, and the sink must be idempotent by sequence.
 */
public interface MarketDataSink {
    /**
     * A book delta covering {@code U..u}.
     *
     * @param bookAfter the whole book after the delta, should the sink need to send a full snapshot
     *                  (read it only during the call)
     */
    void book(BookMessage delta, L2Book bookAfter);

    void trade(TradeMessage trade);
}
