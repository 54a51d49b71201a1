package io.marketstream.edge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.marketdata.GapMessage;

/**
 * A replay channel on this node ({@code replay.<session>.<channel>} or {@code replay.<session>}): what
 * {@code app replay} publishes for a session, forwarded as published, in order, to every local
 * subscriber. A replay is a one-off show, not a stream with a history: there is nothing to resume or to
 * read on subscribe (a subscriber gets the messages published from then on; the replay sends a book
 * snapshot first, so subscribe before it starts), and nothing is conflated or left out for a lagging
 * connection (its bounded queue applies, as for private channels). Messages the node missed from Redis
 * (after a reconnect) cannot be recovered: each subscriber is told with a {@code gap} notice
 * ({@code upstream_gap}).
 */
final class ReplayTopic extends Topic {
    static final String TYPE = "replay";

    private final List<ChannelSub> subs = new ArrayList<>();

    ReplayTopic(ChannelHub hub, String channel) {
        super(hub, channel);
    }

    /** A subscriber of a replay channel: nothing to hold but its connection. */
    private static final class ReplaySub extends ChannelSub {
        private final ReplayTopic topic;

        ReplaySub(Connection connection, String name, ReplayTopic topic) {
            super(connection, name, TYPE);
            this.topic = topic;
        }

        @Override
        Topic topic() {
            return topic;
        }
    }

    /**
     * A session's channels are one show: its {@code start} notice, snapshots, trades and {@code end} reach the
     * subscriber in the order {@code app replay} published them, across its channels (a handful of messages per
     * second per session; sending only queues them on the connections).
     */
    @Override
    protected boolean handledInDeliveryOrder() {
        return true;
    }

    ChannelSub add(Connection connection) {
        ChannelSub sub = new ReplaySub(connection, channel, this);
        subs.add(sub);
        return sub;
    }

    @Override
    protected Object load() {
        return null;
    }

    @Override
    protected void goLive(Object loaded) {
        state = State.LIVE;
        drainHeld();
    }

    @Override
    protected void handle(String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        for (ChannelSub sub : subs) {
            sub.connection.outbox().send(bytes, TYPE);
        }
    }

    @Override
    protected Object readMissed() {
        return null;
    }

    @Override
    protected void applyMissed(Object missed) {
        byte[] gap = Json.writeBytes(GapMessage.of(channel, 0, GapMessage.UPSTREAM_GAP, null, null));
        for (ChannelSub sub : subs) {
            hub.metrics().gap();
            sub.connection.outbox().send(gap, TYPE);
        }
        drainHeld();
    }

    @Override
    boolean isEmpty() {
        return subs.isEmpty();
    }

    @Override
    boolean remove(ChannelSub sub) {
        subs.remove(sub);
        return subs.isEmpty();
    }

    @Override
    void drained(ChannelSub sub) {
    }

    @Override
    List<ChannelSub> subscribers() {
        return new ArrayList<>(subs);
    }
}
