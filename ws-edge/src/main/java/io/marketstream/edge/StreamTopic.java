package io.marketstream.edge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.marketdata.GapMessage;

/**
 * A channel of whole messages on this node: {@code trades.<mkt>}, {@code ticker.<mkt>},
 * {@code kline.<mkt>.<i>}, {@code orders.<acct>}, {@code balances.<acct>}. Each message is forwarded as
 * Redis published it (the same bytes to every subscriber), in order, each subscriber skipping what it
 * already has by {@code seq}.
 *
 * <p>A lagging connection: trades are left out and, once it has caught up, a {@code gap} message names the
 * trade ids missed (never a silent drop); ticker and candles keep only their latest state (per open time),
 * sent when it has caught up; private messages are always queued (bounded by the connection's hard limit).
 *
 * <p>Upstream continuity is checked (consecutive {@code seq}, for trades consecutive trade {@code id}); a jump
 * or a Redis reconnect makes the topic read the missed messages from the history, or announce a gap to every
 * subscriber if the history does not reach back. Ticker and candle subscribers get the channel's latest
 * message at once when they subscribe.
 */
final class StreamTopic extends Topic {
    private static final Logger log = LoggerFactory.getLogger(StreamTopic.class);

    /** A message as received, with the fields the node needs. */
    record Message(byte[] bytes, long seq, long id, long openTime, long ts) {
    }

    private final String type;
    private final List<StreamSub> subs = new ArrayList<>();
    private final Map<StreamSub, Long> waiting = new HashMap<>();
    private long lastSeq;
    private long lastId;

    StreamTopic(ChannelHub hub, String channel) {
        super(hub, channel);
        this.type = channel.substring(0, channel.indexOf('.'));
    }

    String type() {
        return type;
    }

    private boolean isTrades() {
        return Channels.TRADES.equals(type);
    }

    private boolean isState() {
        return Channels.TICKER.equals(type) || Channels.KLINE.equals(type);
    }

    private boolean isPrivate() {
        return Channels.ORDERS.equals(type) || Channels.BALANCES.equals(type);
    }

    StreamSub add(Connection connection, Long since) {
        StreamSub sub = new StreamSub(connection, channel, type, this);
        subs.add(sub);
        if (state == State.STARTING) {
            waiting.put(sub, since);
        } else {
            serve(sub, since);
        }
        return sub;
    }

    private void serve(StreamSub sub, Long since) {
        if (since == null && !isState()) {
            return;
        }
        sub.catchingUp = true;
        if (since != null) {
            sub.lastSeq = since;
        }
        hub.executor().execute(() -> {
            Optional<List<String>> read;
            try {
                read = since == null ? Optional.of(hub.reader().lastMessage(channel).map(List::of).orElse(List.of()))
                        : hub.reader().historyAfter(channel, since);
            } catch (RuntimeException e) {
                log.warn("Reading the history of {} failed", channel, e);
                read = Optional.empty();
            }
            Optional<List<String>> history = read;
            synchronized (this) {
                if (!subs.contains(sub)) {
                    return;
                }
                if (history.isEmpty()) {
                    sendGap(sub, GapMessage.HISTORY_EXPIRED, null, null);
                } else {
                    for (String payload : history.get()) {
                        Message message = parse(payload);
                        if (message != null && message.seq() > sub.lastSeq) {
                            send(sub, message);
                        }
                    }
                }
                sub.catchingUp = false;
                List<Message> arrived = new ArrayList<>(sub.held);
                sub.held.clear();
                arrived.forEach(m -> deliver(sub, m));
            }
        });
    }

    @Override
    protected Object load() {
        return null;
    }

    @Override
    protected void goLive(Object loaded) {
        state = State.LIVE;
        Map<StreamSub, Long> arrived = new HashMap<>(waiting);
        waiting.clear();
        arrived.forEach(this::serve);
        drainHeld();
    }

    private Message parse(String payload) {
        try {
            JsonNode node = Json.mapper().readTree(payload);
            return new Message(payload.getBytes(StandardCharsets.UTF_8), node.path("seq").asLong(),
                    node.path("id").asLong(), node.path("t").asLong(), node.path("ts").asLong());
        } catch (Exception e) {
            log.error("Unreadable message on {} ignored: {}", channel, payload, e);
            return null;
        }
    }

    @Override
    protected void handle(String payload) {
        handle(payload, true);
    }

    /** @param check whether to check continuity (not for messages read from the history, which is authoritative) */
    private void handle(String payload, boolean check) {
        Message message = parse(payload);
        if (message == null || message.seq() <= lastSeq && lastSeq > 0) {
            return;
        }
        boolean jumped = check && (isTrades() ? lastId > 0 && message.id() > lastId + 1
                : lastSeq > 0 && message.seq() > lastSeq + 1);
        if (jumped) {
            log.warn("{} jumped from seq {} to {}; recovering from the history", channel, lastSeq, message.seq());
            hold(payload);
            recover();
            return;
        }
        lastSeq = message.seq();
        lastId = message.id();
        hub.metrics().fannedOut(message.ts());
        for (StreamSub sub : subs) {
            deliver(sub, message);
        }
    }

    private void deliver(StreamSub sub, Message message) {
        if (sub.catchingUp) {
            sub.held.add(message);
            return;
        }
        if (message.seq() <= sub.lastSeq) {
            return;
        }
        Outbox out = sub.connection.outbox();
        if (out.isLagging() && !isPrivate()) {
            if (isTrades()) {
                if (sub.droppedFrom == 0) {
                    sub.droppedFrom = message.id();
                }
                sub.droppedTo = message.id();
            } else {
                sub.latest.put(Channels.KLINE.equals(type) ? message.openTime() : 0L, message);
            }
            return;
        }
        flushOwed(sub);
        send(sub, message);
    }

    private void send(StreamSub sub, Message message) {
        if (sub.connection.outbox().send(message.bytes(), type)) {
            sub.lastSeq = message.seq();
        }
    }

    /** Sends what a subscriber is owed after lagging: a gap notice for trades, the latest states otherwise. */
    private void flushOwed(StreamSub sub) {
        if (sub.droppedFrom != 0) {
            sendGap(sub, GapMessage.SLOW_CONSUMER, sub.droppedFrom, sub.droppedTo);
            sub.droppedFrom = 0;
            sub.droppedTo = 0;
        }
        if (!sub.latest.isEmpty()) {
            List<Message> owed = new ArrayList<>(sub.latest.values());
            sub.latest.clear();
            owed.sort((a, b) -> Long.compare(a.seq(), b.seq()));
            for (Message m : owed) {
                if (m.seq() > sub.lastSeq) {
                    send(sub, m);
                }
            }
        }
    }

    private void sendGap(StreamSub sub, String reason, Long fromId, Long toId) {
        GapMessage gap = GapMessage.of(channel, sub.lastSeq, reason, fromId, toId);
        hub.metrics().gap();
        sub.connection.outbox().send(Json.writeBytes(gap), type);
    }

    @Override
    void drained(ChannelSub sub) {
        StreamSub s = (StreamSub) sub;
        if (state == State.LIVE && !s.catchingUp && s.owes() && !sub.connection.outbox().isLagging()) {
            flushOwed(s);
        }
    }

    @Override
    protected Object readMissed() {
        long from;
        synchronized (this) {
            from = lastSeq;
        }
        return hub.reader().historyAfter(channel, from);
    }

    @Override
    protected void applyMissed(Object read) {
        @SuppressWarnings("unchecked")
        Optional<List<String>> history = (Optional<List<String>>) read;
        if (history.isEmpty()) {
            log.warn("{}: the history does not reach back to seq {}; subscribers are told of the gap", channel, lastSeq);
            for (StreamSub sub : subs) {
                if (!sub.catchingUp) {
                    sendGap(sub, GapMessage.UPSTREAM_GAP, null, null);
                }
            }
            lastSeq = 0;
            lastId = 0;
        } else {
            for (String payload : history.get()) {
                if (state != State.LIVE) {
                    return;
                }
                handle(payload, false);
            }
        }
        if (state == State.LIVE) {
            drainHeld();
        }
    }

    @Override
    boolean remove(ChannelSub sub) {
        waiting.remove(sub);
        subs.remove(sub);
        return subs.isEmpty();
    }

    @Override
    boolean isEmpty() {
        return subs.isEmpty();
    }

    @Override
    List<ChannelSub> subscribers() {
        return new ArrayList<>(subs);
    }
}
