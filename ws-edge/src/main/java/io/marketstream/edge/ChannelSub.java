package io.marketstream.edge;

/**
 * One connection's subscription to one channel as it named it (its canonical name). The topic it reads
 * from guards its mutable state.
 */
abstract class ChannelSub {
    final Connection connection;
    /** The channel name as sent in {@code ch} (canonical). */
    final String name;
    /** The channel type for metrics: book, trades, ticker, kline, orders, balances. */
    final String type;
    /** The last sequence sent to this subscriber ({@code u} for books, {@code seq} otherwise); 0 if none. */
    long lastSeq;

    ChannelSub(Connection connection, String name, String type) {
        this.connection = connection;
        this.name = name;
        this.type = type;
    }

    abstract Topic topic();

    /** The resume position to tell the client on a drain: the last sequence it was sent. */
    long resumePosition() {
        synchronized (topic()) {
            return lastSeq;
        }
    }
}
