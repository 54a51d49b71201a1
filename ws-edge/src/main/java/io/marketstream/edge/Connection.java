package io.marketstream.edge;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.ws.WsErrors;
import io.marketstream.protocol.ws.WsNotice;
import io.marketstream.protocol.ws.WsReply;
import io.marketstream.protocol.ws.WsRequest;

/**
 * One client WebSocket connection: parses its requests (each answered with its {@code id}), holds its
 * subscriptions and its {@link Outbox}, and enforces its limits (request rate, subscriptions, private
 * channels only after {@code auth}). Reads with explicit demand: the next frame is read only after this
 * one was handled.
 *
 * <p>Public only because Jetty invokes listener methods reflectively.
 */
public final class Connection implements Session.Listener {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final EdgeNode node;
    private final String remoteAddress;
    private final Map<String, ChannelSub> subs = new LinkedHashMap<>();
    private Session session;
    private Outbox outbox;
    private volatile long lastInboundNanos = System.nanoTime();
    private volatile long pingSentNanos;
    private Long account;
    private volatile long authExpiresAtMillis;
    private double tokens;
    private double strikes;
    private long refilledNanos = System.nanoTime();
    final long openedNanos = System.nanoTime();

    Connection(EdgeNode node, String remoteAddress) {
        this.node = node;
        this.remoteAddress = remoteAddress;
        this.tokens = node.config().maxMessagesPerSecond();
        this.strikes = node.config().maxMessagesPerSecond();
    }

    static String addressOf(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }

    String remoteAddress() {
        return remoteAddress;
    }

    Outbox outbox() {
        return outbox;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        this.outbox = new Outbox(((WebSocketSession) session).getCoreSession(), node.config(), node.metrics(),
                node.hub().writers(), () -> node.hub().drained(subscriptions()));
        node.connections().opened(this);
        session.demand();
    }

    @Override
    public void onWebSocketText(String text) {
        lastInboundNanos = System.nanoTime();
        try {
            if (allowRequest()) {
                handle(text);
            }
        } catch (RuntimeException e) {
            log.error("Request from {} failed: {}", remoteAddress, text, e);
            reply(WsReply.error(null, WsErrors.BAD_REQUEST, "the request could not be handled: " + e.getMessage()));
        } finally {
            session.demand();
        }
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
        lastInboundNanos = System.nanoTime();
        callback.succeed();
        reject(null, WsErrors.BAD_REQUEST, "binary frames are not understood; send JSON text frames");
        session.demand();
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        lastInboundNanos = System.nanoTime();
        session.demand();
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        lastInboundNanos = System.nanoTime();
        // a listener that takes pings answers them itself (Jetty only answers for listeners that do not)
        session.sendPong(payload, org.eclipse.jetty.websocket.api.Callback.from(() -> { },
                e -> log.debug("Pong to {} failed", remoteAddress, e)));
        session.demand();
    }

    /** Token bucket: {@code maxMessagesPerSecond} per second, bursts of as many; a second bucket of strikes closes abusers. */
    private boolean allowRequest() {
        int rate = node.config().maxMessagesPerSecond();
        long now = System.nanoTime();
        double refill = (now - refilledNanos) / 1e9 * rate;
        refilledNanos = now;
        tokens = Math.min(rate, tokens + refill);
        strikes = Math.min(rate, strikes + refill);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        strikes -= 1;
        if (strikes < 0) {
            node.metrics().rejected("rate_close");
            outbox.close(WsErrors.CLOSE_POLICY, "inbound message rate over twice the limit of " + rate + "/s");
            return false;
        }
        reject(null, WsErrors.RATE_LIMITED, "more than " + rate + " requests per second; this one was not carried out");
        return false;
    }

    private void handle(String text) {
        WsRequest request;
        try {
            request = Json.read(text, WsRequest.class);
        } catch (IllegalArgumentException e) {
            reject(null, WsErrors.BAD_REQUEST, "not a request: " + e.getMessage());
            return;
        }
        if (request == null) {
            reject(null, WsErrors.BAD_REQUEST, "expected a JSON object with op and id");
            return;
        }
        if (request.op() == null) {
            reject(request.id(), WsErrors.BAD_REQUEST, "missing op");
            return;
        }
        switch (request.op()) {
            case WsRequest.SUBSCRIBE -> subscribe(request);
            case WsRequest.UNSUBSCRIBE -> unsubscribe(request);
            case WsRequest.AUTH -> auth(request);
            case WsRequest.PING -> reply(WsReply.pong(request.id(), System.currentTimeMillis()));
            case WsRequest.PONG -> { }
            case WsRequest.LIST -> reply(WsReply.ok(request.id(), subscriptionNames()));
            default -> reject(request.id(), WsErrors.UNKNOWN_OP, "unknown op '" + request.op()
                    + "'; expected subscribe, unsubscribe, auth, ping or list");
        }
    }

    /** A channel named in a request, resolved. */
    private record Wanted(String name, Channels.BookView book, String stream) {
        /** A replay channel: neither a book view nor a stream with a history. */
        boolean replay() {
            return book == null && stream == null;
        }
    }

    private void subscribe(WsRequest request) {
        List<String> names = request.channels();
        if (names == null || names.isEmpty()) {
            reject(request.id(), WsErrors.BAD_REQUEST, "ch must list at least one channel");
            return;
        }
        List<Wanted> wanted = new ArrayList<>();
        for (String name : names) {
            Optional<Wanted> resolved = resolve(request.id(), name);
            if (resolved.isEmpty()) {
                return;
            }
            wanted.add(resolved.get());
        }
        Map<String, Long> since = request.since() == null ? Map.of() : request.since();
        List<String> canonical = wanted.stream().map(Wanted::name).distinct().toList();
        synchronized (this) {
            long fresh = canonical.stream().filter(n -> !subs.containsKey(n)).count();
            if (subs.size() + fresh > node.config().maxSubscriptions()) {
                reject(request.id(), WsErrors.TOO_MANY_SUBSCRIPTIONS, "at most " + node.config().maxSubscriptions()
                        + " channels per connection; " + subs.size() + " subscribed");
                return;
            }
            reply(WsReply.ok(request.id(), canonical));
            for (Wanted w : wanted) {
                if (subs.containsKey(w.name())) {
                    continue;
                }
                Long position = since.containsKey(w.name()) ? since.get(w.name()) : sinceByAlias(since, w);
                ChannelSub sub = w.book() != null ? node.hub().subscribeBook(this, w.book(), position)
                        : w.replay() ? node.hub().subscribeReplay(this, w.name())
                        : node.hub().subscribeStream(this, w.stream(), position);
                subs.put(w.name(), sub);
            }
        }
    }

    private static Long sinceByAlias(Map<String, Long> since, Wanted w) {
        String alias = w.stream() == null ? null : w.stream().startsWith(Channels.ORDERS + ".") ? Channels.ORDERS
                : w.stream().startsWith(Channels.BALANCES + ".") ? Channels.BALANCES : null;
        return alias == null ? null : since.get(alias);
    }

    /** Resolves a channel name, or answers the request with the reason it cannot be served. */
    private Optional<Wanted> resolve(Long id, String name) {
        if (name == null) {
            reject(id, WsErrors.UNKNOWN_CHANNEL, "null is not a channel");
            return Optional.empty();
        }
        if (name.equals(Channels.ORDERS) || name.equals(Channels.BALANCES) || Channels.accountOf(name) >= 0) {
            Long acct = account;
            if (node.tokens() == null) {
                reject(id, WsErrors.AUTH_UNAVAILABLE, "this node serves no private channels (no token secret configured)");
                return Optional.empty();
            }
            if (acct == null) {
                reject(id, WsErrors.AUTH_REQUIRED, "'" + name + "' is private: send auth with a token first");
                return Optional.empty();
            }
            String channel = name.startsWith(Channels.ORDERS) ? Channels.orders(acct) : Channels.balances(acct);
            if (Channels.accountOf(name) >= 0 && !name.equals(channel)) {
                reject(id, WsErrors.AUTH_REQUIRED, "'" + name + "' belongs to another account; this connection is "
                        + "authenticated as " + acct);
                return Optional.empty();
            }
            return Optional.of(new Wanted(channel, null, channel));
        }
        if (name.startsWith(Channels.REPLAY + ".")) {
            Optional<Channels.ReplayChannel> replay = Channels.parseReplay(name);
            if (replay.isEmpty()) {
                reject(id, WsErrors.UNKNOWN_CHANNEL, "no channel '" + name + "'; replay channels are replay.<session> and "
                        + "replay.<session>.<channel> (session: 1 to 32 of a-z 0-9 _ -; channel: book.<market>, "
                        + "trades.<market>, ticker.<market> or kline.<market>.<interval>)");
                return Optional.empty();
            }
            Channels.Channel replayed = replay.get().channel();
            if (replayed != null && node.catalog().find(replayed.market()).isEmpty()) {
                reject(id, WsErrors.UNKNOWN_CHANNEL, "no market '" + replayed.market() + "'; markets are " + markets());
                return Optional.empty();
            }
            return Optional.of(new Wanted(replay.get().name(), null, null));
        }
        Optional<Channels.BookView> book = Channels.parseBookView(name);
        if (book.isPresent()) {
            if (node.catalog().find(book.get().market()).isEmpty()) {
                reject(id, WsErrors.UNKNOWN_CHANNEL, "no market '" + book.get().market() + "'; markets are " + markets());
                return Optional.empty();
            }
            return Optional.of(new Wanted(book.get().name(), book.get(), null));
        }
        Optional<Channels.Channel> channel = Channels.parse(name);
        if (channel.isEmpty() || Channels.BOOK.equals(channel.get().kind())) {
            reject(id, WsErrors.UNKNOWN_CHANNEL, "no channel '" + name + "'; channels are book.<market>[.<depth>][@<cadence>]"
                    + " (depth 10, 25, 100, 500 or full; cadence raw, 100ms or 1000ms), trades.<market>, ticker.<market>,"
                    + " kline.<market>.<1m|5m|15m|1h|4h|1d>, replay.<session>[.<channel>], and after auth orders and balances");
            return Optional.empty();
        }
        if (node.catalog().find(channel.get().market()).isEmpty()) {
            reject(id, WsErrors.UNKNOWN_CHANNEL, "no market '" + channel.get().market() + "'; markets are " + markets());
            return Optional.empty();
        }
        return Optional.of(new Wanted(channel.get().name(), null, channel.get().name()));
    }

    private List<String> markets() {
        return node.catalog().all().stream().map(m -> m.symbol()).toList();
    }

    private void unsubscribe(WsRequest request) {
        List<String> names = request.channels();
        if (names == null || names.isEmpty()) {
            reject(request.id(), WsErrors.BAD_REQUEST, "ch must list at least one channel");
            return;
        }
        List<String> removed = new ArrayList<>();
        synchronized (this) {
            for (String name : names) {
                String key = canonical(name);
                ChannelSub sub = key == null ? null : subs.remove(key);
                if (sub != null) {
                    node.hub().unsubscribe(sub);
                    removed.add(key);
                }
            }
        }
        reply(WsReply.ok(request.id(), removed));
    }

    private String canonical(String name) {
        if (name == null) {
            return null;
        }
        Long acct = account;
        if (acct != null && (name.equals(Channels.ORDERS) || name.equals(Channels.BALANCES))) {
            return name.equals(Channels.ORDERS) ? Channels.orders(acct) : Channels.balances(acct);
        }
        return Channels.parseBookView(name).map(Channels.BookView::name).orElse(name);
    }

    private void auth(WsRequest request) {
        TokenVerifier tokens = node.tokens();
        if (tokens == null) {
            reject(request.id(), WsErrors.AUTH_UNAVAILABLE, "this node serves no private channels (no token secret configured)");
            return;
        }
        TokenVerifier.Grant grant;
        try {
            grant = tokens.verify(request.token());
        } catch (IllegalArgumentException e) {
            reject(request.id(), WsErrors.AUTH_FAILED, "token refused: " + e.getMessage());
            return;
        }
        synchronized (this) {
            if (account != null && account != grant.account()) {
                reject(request.id(), WsErrors.AUTH_FAILED, "this connection is authenticated as account " + account
                        + "; open another connection for account " + grant.account());
                return;
            }
            boolean first = account == null;
            account = grant.account();
            authExpiresAtMillis = grant.expiresAt().toEpochMilli();
            reply(WsReply.authenticated(request.id(), grant.account()));
            if (first) {
                node.connections().authenticated(this, grant.account());
            }
        }
    }

    /** Drops the private channels once the token has expired (checked by the node's sweeper). */
    void checkAuthExpiry(long nowMillis) {
        if (authExpiresAtMillis == 0 || nowMillis < authExpiresAtMillis) {
            return;
        }
        synchronized (this) {
            authExpiresAtMillis = 0;
            List<String> dropped = new ArrayList<>();
            subs.entrySet().removeIf(e -> {
                if (Channels.accountOf(e.getKey()) >= 0) {
                    node.hub().unsubscribe(e.getValue());
                    dropped.add(e.getKey());
                    return true;
                }
                return false;
            });
            account = null;
            reject(null, WsErrors.AUTH_FAILED, "the token expired; private channels " + dropped
                    + " were dropped: send auth with a fresh token and subscribe again");
        }
    }

    Long account() {
        return account;
    }

    /** Heartbeat: ping when idle, close when a ping went unanswered (checked by the node's sweeper). */
    void checkHeartbeat(long nowNanos) {
        if (outbox == null || outbox.isClosed()) {
            return;
        }
        long idle = nowNanos - lastInboundNanos;
        long pinged = pingSentNanos;
        if (pinged != 0 && lastInboundNanos < pinged) {
            if (nowNanos - pinged > node.config().pongTimeout().toNanos()) {
                outbox.close(WsErrors.CLOSE_HEARTBEAT_TIMEOUT, "no answer to ping within "
                        + node.config().pongTimeout().toMillis() + " ms");
            }
            return;
        }
        if (idle > node.config().pingInterval().toNanos()) {
            pingSentNanos = nowNanos;
            ((WebSocketSession) session).getCoreSession().sendFrame(new Frame(OpCode.PING),
                    Callback.from(() -> { }, e -> log.debug("Ping to {} failed", remoteAddress, e)), false);
            outbox.send(Json.writeBytes(WsNotice.ping(System.currentTimeMillis())), "control");
        }
        outbox.checkSlow(nowNanos);
    }

    /** Tells the client to reconnect elsewhere, with its resume positions (node drain). */
    void announceDrain(long graceMillis) {
        Map<String, Long> resume = new LinkedHashMap<>();
        for (ChannelSub sub : subscriptions()) {
            resume.put(sub.name, sub.resumePosition());
        }
        outbox.send(Json.writeBytes(WsNotice.reconnect("draining", graceMillis, resume)), "control");
    }

    void close(int code, String reason) {
        if (outbox != null) {
            outbox.close(code, reason);
        }
    }

    /** A channel's topic could not start; the subscription is gone and the client is told. */
    void subscriptionFailed(ChannelSub sub, String reason) {
        synchronized (this) {
            subs.remove(sub.name, sub);
        }
        reject(null, WsErrors.UNAVAILABLE, reason);
    }

    synchronized List<ChannelSub> subscriptions() {
        return new ArrayList<>(subs.values());
    }

    private synchronized List<String> subscriptionNames() {
        return new ArrayList<>(subs.keySet());
    }

    private void reject(Long id, String code, String reason) {
        node.metrics().rejected(code);
        reply(WsReply.error(id, code, reason));
    }

    private void reply(Object reply) {
        outbox.send(Json.writeBytes(reply), "control");
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        if (outbox != null) {
            outbox.markClosed();
        }
        // Jetty may report the close from inside a failed send, i.e. under a topic's lock: unsubscribing
        // takes the hub's lock, so it runs on the hub's executor (lock order is hub, then topic)
        Runnable cleanup = () -> {
            List<ChannelSub> all;
            synchronized (this) {
                all = new ArrayList<>(subs.values());
                subs.clear();
            }
            all.forEach(node.hub()::unsubscribe);
            node.connections().closed(this);
        };
        try {
            node.hub().executor().execute(cleanup);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            cleanup.run();
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        log.debug("WebSocket error from {}", remoteAddress, cause);
    }
}
