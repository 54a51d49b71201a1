package io.marketstream.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A connection's subscription to a channel of whole messages (trades, ticker, candles, private). Guarded
 * by the topic's monitor.
 */
final class StreamSub extends ChannelSub {
    final StreamTopic topic;
    /** Reading history (resume) or the current state: live messages wait here meanwhile. */
    boolean catchingUp;
    final List<StreamTopic.Message> held = new ArrayList<>();
    /** Trades left out while the connection lagged: first and last trade id, 0 if none. */
    long droppedFrom;
    long droppedTo;
    /** Latest ticker, or latest state per candle open time, held back while the connection lagged. */
    final TreeMap<Long, StreamTopic.Message> latest = new TreeMap<>();

    StreamSub(Connection connection, String name, String type, StreamTopic topic) {
        super(connection, name, type);
        this.topic = topic;
    }

    @Override
    Topic topic() {
        return topic;
    }

    boolean owes() {
        return droppedFrom != 0 || !latest.isEmpty();
    }
}
