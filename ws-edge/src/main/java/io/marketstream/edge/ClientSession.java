package io.marketstream.edge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.ws.WsReply;
import io.marketstream.protocol.ws.WsRequest;
import io.marketstream.redis.MarketDataListener;
import io.marketstream.redis.RedisMarketDataSubscriber.Subscription;

/**
 * One WebSocket connection: parses requests, answers each with its {@code id}, and feeds the
 * channels it subscribed to through its {@link Outbox}.
 *
 * <p>No update is lost between a book snapshot and the first delta: the live subscription is made
 * (and confirmed by Redis) first, live messages are held while the snapshot is read, then the
 * snapshot is sent followed by the held messages newer than it ({@code u} greater than the
 * snapshot's), and from then on live messages go straight through.
 *
 * <p>Public only because Jetty invokes listener methods reflectively.
 */
public final class ClientSession implements Session.Listener.AutoDemanding {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private final EdgeNode node;
    private final Map<String, Feed> feeds = new HashMap<>();
    private Session session;
    private Outbox outbox;

    ClientSession(EdgeNode node) {
        this.node = node;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        this.outbox = new Outbox(session, node.config().maxQueuedBytes());
    }

    @Override
    public void onWebSocketText(String text) {
        WsRequest request;
        try {
            request = Json.read(text, WsRequest.class);
        } catch (IllegalArgumentException e) {
            reply(WsReply.error(null, "bad_request", e.getMessage()));
            return;
        }
        if (request == null) {
            reply(WsReply.error(null, "bad_request", "expected a JSON object with op and id"));
            return;
        }
        if (request.op() == null) {
            reply(WsReply.error(request.id(), "bad_request", "missing op"));
            return;
        }
        switch (request.op()) {
            case WsRequest.SUBSCRIBE -> subscribe(request);
            case WsRequest.UNSUBSCRIBE -> unsubscribe(request);
            case WsRequest.PING -> reply(WsReply.pong(request.id()));
            default -> reply(WsReply.error(request.id(), "unknown_op", "unknown op '" + request.op()
                    + "'; expected subscribe, unsubscribe or ping"));
        }
    }

    private void subscribe(WsRequest request) {
        List<String> channels = request.channels();
        if (channels == null || channels.isEmpty()) {
            reply(WsReply.error(request.id(), "bad_request", "ch must list at least one channel"));
            return;
        }
        List<Channels.Channel> parsed = new ArrayList<>();
        for (String name : channels) {
            Optional<Channels.Channel> channel = Channels.parse(name);
            if (channel.isEmpty() || node.catalog().find(channel.get().market()).isEmpty()) {
                reply(WsReply.error(request.id(), "unknown_channel", "no channel '" + name
                        + "'; channels are book.<market> and trades.<market> for markets "
                        + node.catalog().all().stream().map(m -> m.symbol()).toList()));
                return;
            }
            parsed.add(channel.get());
        }
        synchronized (this) {
            long fresh = parsed.stream().map(Channels.Channel::name).distinct().filter(n -> !feeds.containsKey(n)).count();
            if (feeds.size() + fresh > node.config().maxSubscriptions()) {
                reply(WsReply.error(request.id(), "too_many_subscriptions", "at most "
                        + node.config().maxSubscriptions() + " channels per connection"));
                return;
            }
            reply(WsReply.ok(request.id(), channels));
            for (Channels.Channel channel : parsed) {
                if (!feeds.containsKey(channel.name())) {
                    Feed feed = new Feed(channel);
                    feeds.put(channel.name(), feed);
                    feed.start();
                }
            }
        }
    }

    private void unsubscribe(WsRequest request) {
        List<String> channels = request.channels() == null ? List.of() : request.channels();
        synchronized (this) {
            for (String name : channels) {
                Feed feed = feeds.remove(name);
                if (feed != null) {
                    feed.stop();
                }
            }
        }
        reply(WsReply.ok(request.id(), channels));
    }

    private void reply(WsReply reply) {
        outbox.send(Json.write(reply));
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        if (outbox != null) {
            outbox.markClosed();
        }
        synchronized (this) {
            feeds.values().forEach(Feed::stop);
            feeds.clear();
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        log.debug("WebSocket error from {}", session == null ? "?" : session.getRemoteSocketAddress(), cause);
    }

    /** One subscribed channel of this connection. */
    private final class Feed implements MarketDataListener {
        private final Channels.Channel channel;
        private final List<String> held = new ArrayList<>();
        private long heldBytes;
        private boolean live;
        private boolean stopped;
        private Subscription subscription;

        Feed(Channels.Channel channel) {
            this.channel = channel;
        }

        void start() {
            node.subscriber().subscribe(channel.name(), this).whenCompleteAsync((sub, error) -> {
                synchronized (this) {
                    subscription = sub;
                    if (stopped && sub != null) {
                        sub.close();
                        return;
                    }
                }
                if (error != null) {
                    log.warn("Redis subscription to {} failed", channel.name(), error);
                    abandon("cannot subscribe to " + channel.name() + " now; subscribe again later");
                    return;
                }
                if (Channels.BOOK.equals(channel.kind())) {
                    sendSnapshotThenHeld();
                } else {
                    goLive(0);
                }
            }, node.executor());
        }

        private void sendSnapshotThenHeld() {
            BookMessage snapshot;
            try {
                snapshot = node.reader().book(channel.market(), Integer.MAX_VALUE);
            } catch (RuntimeException e) {
                log.warn("Could not read the {} snapshot", channel.name(), e);
                abandon("cannot read the " + channel.name() + " snapshot now; subscribe again later");
                return;
            }
            synchronized (this) {
                if (stopped) {
                    return;
                }
                outbox.send(Json.write(snapshot));
                goLive(snapshot.lastSeq());
            }
        }

        /** Sends the held messages newer than {@code after} and lets live ones through from now on. */
        private synchronized void goLive(long after) {
            for (String payload : held) {
                if (after == 0 || Json.read(payload, BookMessage.class).lastSeq() > after) {
                    outbox.send(payload);
                }
            }
            held.clear();
            heldBytes = 0;
            live = true;
        }

        @Override
        public synchronized void onMessage(String ch, String payload) {
            if (stopped) {
                return;
            }
            if (live) {
                outbox.send(payload);
                return;
            }
            held.add(payload);
            heldBytes += payload.length();
            if (heldBytes > node.config().maxQueuedBytes()) {
                node.executor().execute(() -> abandon("the " + channel.name()
                        + " snapshot took too long; subscribe again"));
            }
        }

        /** Gives the channel up (the client is told why and may subscribe again). */
        private void abandon(String reason) {
            synchronized (ClientSession.this) {
                if (feeds.get(channel.name()) == this) {
                    feeds.remove(channel.name());
                }
            }
            stop();
            reply(WsReply.error(null, "unavailable", reason));
        }

        synchronized void stop() {
            if (stopped && subscription == null) {
                return;
            }
            stopped = true;
            held.clear();
            if (subscription != null) {
                subscription.close();
            }
        }
    }
}
