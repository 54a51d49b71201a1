package io.marketstream.streams;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.marketdata.AccountMessage;

/**
 * Where the topology's market data goes (Redis in production, a recorder in tests). Called on a
 * stream thread, per market in sequence order; a call that throws fails the task, so its records are
 * processed again after the last commit, and the sink must therefore be idempotent by sequence.
 *
 * <p>A sink may work asynchronously, but {@link #flush} must not return before everything handed to
 * it is durably applied: the topology calls it before each commit of its state and input offsets.
 */
public interface MarketDataSink {
    /** One event's changes to one market's public channels, to be applied as one step. */
    void publish(MarketUpdate update);

    /** One message for an account's private channel. */
    void account(AccountMessage message);

    /** The markets the job serves, once at start (so that readers can list them). */
    default void markets(MarketCatalog catalog) {
    }

    /** Returns once everything handed over so far is applied; throws if some of it could not be. */
    default void flush() {
    }

    /**
     * Called about once a second on the stream thread, also when no event arrives: a sink finishes
     * here what it could not finish while handing over (e.g. replacing a book Redis lost, found after
     * the last event), which would otherwise wait for the next event or commit.
     */
    default void maintain() {
    }
}
