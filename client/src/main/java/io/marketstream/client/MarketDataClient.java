package io.marketstream.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.BookMessageReader;
import io.marketstream.protocol.marketdata.GapMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.protocol.ws.WsErrors;
import io.marketstream.protocol.ws.WsNotice;
import io.marketstream.protocol.ws.WsReply;
import io.marketstream.protocol.ws.WsRequest;

/**
 * A WebSocket client of the edge ({@code docs/protocol.md}) that keeps a verified local order book per
 * subscribed market, and passes trades, tickers, candles and the account's private updates to a
 * {@link MarketDataListener}.
 *
 * <p><b>Books are verified.</b> Every book message is checked before it counts: a delta must start at the
 * previous {@code u + 1}, and after applying it the book's checksum must equal {@code cs}. When either
 * check fails the client empties the book and subscribes to it again, which brings a fresh snapshot (a
 * resync, counted by {@link #resyncs()} and told to {@link BookListener#onResync}). A snapshot the edge
 * sends unasked ({@code "resync":<reason>}) replaces the book and is counted and told the same way.
 *
 * <p><b>Reconnect and resume</b> (a client made by {@link #builder} and {@link #start()}ed): when the
 * connection drops, the edge closes it, the edge announces a drain ({@code reconnect} notice), or nothing
 * arrives for the heartbeat timeout, the client connects again after an exponential back-off with jitter
 * ({@link Backoff}), to the next endpoint of its list each time. It then subscribes to everything again
 * with {@code since}: a full-depth book resumes from the {@code u} it is verified at (the edge sends one
 * merged delta, or a snapshot marked {@code history_expired} when its history does not reach back), the
 * other channels from the last {@code seq} received (or a {@code gap} notice). The local book stays
 * readable, at its last verified sequence, while the client is away. A client made with
 * {@link #connect(URI, Duration)} has a single connection and does not reconnect.
 *
 * <p><b>Heartbeats</b>: the edge's {@code ping} notices are answered with {@code pong} and its ping
 * frames with pong frames; a started client also sends {@code ping} itself after a quiet ping interval,
 * and treats a connection that stays silent for the heartbeat timeout after that as dead.
 *
 * <p><b>Threading</b>: messages are handled on a Jetty thread, one at a time per connection, and the
 * listener is called there (see {@link MarketDataListener}: it must not block). The read methods
 * ({@link #book}, {@link #levels}, {@link #sequence}, the counters) may be called from any thread; a
 * book read is a consistent copy taken under the book's lock. {@code subscribe*} may be called from any
 * thread, before or after {@link #start()}.
 */
public final class MarketDataClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MarketDataClient.class);

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Quiet time after which a started client pings the edge (the edge pings after 20 s by default). */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(15);
    /** Silence after the ping interval that makes a started client give up on a connection. */
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);
    /** Wait before a subscription the edge could not serve now ({@code unavailable}, {@code rate_limited}) is asked again. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    private final MarketDataListener listener;
    private final WebSocketClient ws;
    /** Whether {@link #ws} is this client's own (started and stopped here) or shared by many clients. */
    private final boolean ownsWs;
    private final Backoff backoff;
    private final String token;
    private final Duration connectTimeout;
    private final Duration pingInterval;
    private final Duration heartbeatTimeout;

    private final Subscriptions subs;
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong resyncs = new AtomicLong();
    private final AtomicLong failedChecks = new AtomicLong();
    private final AtomicLong verified = new AtomicLong();
    private final AtomicLong snapshots = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile long account = -1;

    /** Guards the connection's life cycle: the fields below are written only under it. */
    private final Object lifecycle = new Object();
    private volatile List<URI> endpoints;
    /** The connection in use or being opened; null between attempts. */
    private volatile EdgeLink link;
    private boolean reconnecting;
    private boolean started;
    private volatile boolean closed;
    private boolean everConnected;
    private int nextEndpoint;
    /** Consecutive attempts that did not get as far as a reply: the back-off exponent. */
    private int failures;
    private Scheduler.Task heartbeatTask;

    /** A client with its own Jetty client, for {@link #connect(URI, Duration)}; {@link #close()} stops it. */
    public MarketDataClient(MarketCatalog catalog, BookListener listener) {
        this(catalog, listener, new WebSocketClient(), true, List.of(), Backoff.DEFAULT, null, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_PING_INTERVAL, DEFAULT_HEARTBEAT_TIMEOUT);
    }

    /**
     * A client on a started {@link WebSocketClient} shared with other clients (one thread pool for
     * many connections, as a load generator needs); {@link #close()} leaves it running.
     */
    public MarketDataClient(MarketCatalog catalog, BookListener listener, WebSocketClient shared) {
        this(catalog, listener, Objects.requireNonNull(shared, "shared WebSocketClient"), false, List.of(),
                Backoff.DEFAULT, null, DEFAULT_CONNECT_TIMEOUT, DEFAULT_PING_INTERVAL, DEFAULT_HEARTBEAT_TIMEOUT);
    }

    private MarketDataClient(MarketCatalog catalog, BookListener listener, WebSocketClient ws, boolean ownsWs,
                             List<URI> endpoints, Backoff backoff, String token, Duration connectTimeout,
                             Duration pingInterval, Duration heartbeatTimeout) {
        this.subs = new Subscriptions(Objects.requireNonNull(catalog, "catalog"));
        this.listener = adapt(listener);
        this.ws = ws;
        this.ownsWs = ownsWs;
        this.endpoints = endpoints;
        this.backoff = backoff;
        this.token = token;
        this.connectTimeout = connectTimeout;
        this.pingInterval = pingInterval;
        this.heartbeatTimeout = heartbeatTimeout;
    }

    private static MarketDataListener adapt(BookListener listener) {
        if (listener == null) {
            return new MarketDataListener() { };
        }
        if (listener instanceof MarketDataListener full) {
            return full;
        }
        return new MarketDataListener() {
            @Override
            public void onBook(String market, long u) {
                listener.onBook(market, u);
            }

            @Override
            public void onBookMessage(String market, BookMessage message) {
                listener.onBookMessage(market, message);
            }

            @Override
            public void onTrade(TradeMessage trade) {
                listener.onTrade(trade);
            }

            @Override
            public void onResync(String market, String reason) {
                listener.onResync(market, reason);
            }
        };
    }

    /** A client that reconnects and resumes; see {@link Builder}. */
    public static Builder builder(MarketCatalog catalog) {
        return new Builder(catalog);
    }

    /**
     * Settings of a reconnecting client. Only the endpoints are required:
     * <pre>{@code
     * MarketDataClient client = MarketDataClient.builder(catalog)
     *         .endpoints(List.of(URI.create("ws://edge-1:8080/ws"), URI.create("ws://edge-2:8080/ws")))
     *         .listener(myListener)
     *         .backoff(Duration.ofMillis(100), Duration.ofSeconds(10))
     *         .build();
     * client.subscribeBook("BTC-USD").subscribeTrades("BTC-USD");
     * client.start();
     * }</pre>
     */
    public static final class Builder {
        private final MarketCatalog catalog;
            private final List<URI> endpoints = new ArrayList<>();
        private BookListener listener;
        private Backoff backoff = Backoff.DEFAULT;
        private String token;
        private WebSocketClient shared;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private Duration heartbeatTimeout = DEFAULT_HEARTBEAT_TIMEOUT;

        private Builder(MarketCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
        }

        /** The edge nodes ({@code ws://host:port/ws}), tried in turn: the first, then the next after each drop. */
        public Builder endpoints(List<URI> uris) {
            endpoints.clear();
            uris.forEach(this::endpoint);
            return this;
        }

        /** Adds an endpoint to the list. */
        public Builder endpoint(URI uri) {
            Objects.requireNonNull(uri, "endpoint");
            if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme())) {
                throw new IllegalArgumentException("endpoint " + uri + " is not a ws:// or wss:// URI");
            }
            endpoints.add(uri);
            return this;
        }

        /** Callbacks; a {@link MarketDataListener} gets every kind, a plain {@link BookListener} the book ones and trades. */
        public Builder listener(BookListener listener) {
            this.listener = listener;
            return this;
        }

        /** Reconnect delays: from {@code min}, doubling per failed attempt up to {@code max}, with jitter. */
        public Builder backoff(Duration min, Duration max) {
            this.backoff = new Backoff(min, max);
            return this;
        }

        /** A JWT sent with {@code auth} on every connection; needed for {@link #subscribePrivate()}. */
        public Builder token(String jwt) {
            if (jwt != null && jwt.isBlank()) {
                throw new IllegalArgumentException("token must not be blank");
            }
            this.token = jwt;
            return this;
        }

        /** A started Jetty client shared with other clients; {@link #close()} leaves it running. */
        public Builder webSocketClient(WebSocketClient shared) {
            this.shared = shared;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /**
         * Client-side heartbeat: after {@code pingInterval} without a message from the edge the client sends
         * a {@code ping}; if nothing arrives within {@code timeout} more, it drops the connection and reconnects.
         */
        public Builder heartbeat(Duration pingInterval, Duration timeout) {
            this.pingInterval = positive(pingInterval, "ping interval");
            this.heartbeatTimeout = positive(timeout, "heartbeat timeout");
            return this;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }

        /** @throws IllegalArgumentException if no endpoint was given */
        public MarketDataClient build() {
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("no endpoint: give at least one ws://host:port/ws");
            }
            return new MarketDataClient(catalog, listener, shared == null ? new WebSocketClient() : shared,
                    shared == null, List.copyOf(endpoints), backoff, token, connectTimeout, pingInterval,
                    heartbeatTimeout);
        }
    }

    // ---------------------------------------------------------------- life cycle

    /**
     * Connects to the first endpoint and from then on keeps connected, reconnecting and resuming after
     * every drop, until {@link #close()}. Returns at once; {@link #connected()} tells when the connection is
     * up, {@link MarketDataListener#onConnected} is called each time it is.
     *
     * @throws IllegalStateException if the client was started or connected before, or has no endpoint
     */
    public MarketDataClient start() {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "client is closed" : "client already started");
            }
            if (endpoints.isEmpty()) {
                throw new IllegalStateException("no endpoint: build the client with MarketDataClient.builder(...).endpoints(...)");
            }
            started = true;
            reconnecting = true;
        }
        startJetty();
        long tick = Math.max(100, Math.min(1000, pingInterval.toMillis() / 4));
        synchronized (lifecycle) {
            heartbeatTask = schedule(() -> checkHeartbeat(tick), tick);
        }
        attemptConnect();
        return this;
    }

    /**
     * Connects to an edge's {@code ws://host:port/ws}, waiting at most {@code timeout}. This client keeps
     * its books verified and resyncs them, but does not reconnect if the connection drops (use
     * {@link #builder} and {@link #start()} for that).
     *
     * @throws IllegalStateException if the connection could not be opened (the client is then closed)
     */
    public MarketDataClient connect(URI uri, Duration timeout) {
        EdgeLink endpoint = new EdgeLink(this, uri);
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "client is closed" : "client already started");
            }
            started = true;
            endpoints = List.of(uri);
            link = endpoint;
        }
        try {
            startJetty();
            ws.connect(endpoint, uri).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return this;
        } catch (Exception e) {
            close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not connect to " + uri, e);
        }
    }

    private void startJetty() {
        if (!ownsWs) {
            if (!ws.isStarted()) {
                throw new IllegalStateException("the shared WebSocketClient must be started first");
            }
            return;
        }
        try {
            ws.start();
        } catch (Exception e) {
            throw new IllegalStateException("the WebSocket client did not start", e);
        }
    }

    /**
     * Runs a task on Jetty's scheduler after a delay; nothing once the client is closed (its Jetty client may
     * be stopping).
     */
    private Scheduler.Task schedule(Runnable task, long delayMillis) {
        if (closed) {
            return null;
        }
        try {
            return ws.getHttpClient().getScheduler().schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            if (!closed) {
                log.error("Could not schedule a task of the client", e);
            }
            return null;
        }
    }

    private void attemptConnect() {
        EdgeLink endpoint;
        synchronized (lifecycle) {
            if (closed || link != null) {
                return;
            }
            endpoint = new EdgeLink(this, endpoints.get(nextEndpoint % endpoints.size()));
            link = endpoint;
        }
        log.debug("Connecting to {}", endpoint.uri);
        try {
            ws.connect(endpoint, endpoint.uri).orTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((session, failure) -> {
                        if (failure != null) {
                            connectFailed(endpoint, failure);
                        }
                    });
        } catch (Exception e) {
            connectFailed(endpoint, e);
        }
    }

    private void connectFailed(EdgeLink endpoint, Throwable failure) {
        synchronized (lifecycle) {
            if (link != endpoint) {
                return;
            }
            link = null;
        }
        log.warn("Could not connect to {}: {}", endpoint.uri, failure.toString());
        notifyListener(() -> listener.onDisconnected(endpoint.uri, StatusCode.ABNORMAL, "could not connect: " + failure));
        scheduleReconnect(false);
    }

    void opened(EdgeLink endpoint, Session session) {
        boolean resumed;
        synchronized (lifecycle) {
            if (closed || link != endpoint) {
                session.close(StatusCode.NORMAL, "superseded", Callback.NOOP);
                return;
            }
            endpoint.session = session;
            resumed = everConnected;
            everConnected = true;
        }
        if (resumed) {
            reconnects.incrementAndGet();
        }
        log.info("Connected to {}{}", endpoint.uri, resumed ? "; resuming" : "");
        notifyListener(() -> listener.onConnected(endpoint.uri, resumed));
        subscribeAll(endpoint);
    }

    /**
     * The connection is gone: forget it, tell the listener, and (if reconnecting) try again.
     *
     * @param drain whether the edge asked the client to move (a drain): the next attempt comes without back-off
     */
    void dropped(EdgeLink endpoint, int code, String reason, boolean drain) {
        synchronized (lifecycle) {
            if (link != endpoint) {
                return;
            }
            link = null;
        }
        Session session = endpoint.session;
        if (session != null && session.isOpen()) {
            if (drain) {
                session.close(StatusCode.NORMAL, "moving to another node", Callback.NOOP);
            } else {
                session.disconnect();
            }
        }
        log.info("Connection to {} lost: {} {}", endpoint.uri, code, reason);
        notifyListener(() -> listener.onDisconnected(endpoint.uri, code, reason));
        scheduleReconnect(drain);
    }

    private void scheduleReconnect(boolean drain) {
        long delay;
        synchronized (lifecycle) {
            if (closed || !reconnecting) {
                return;
            }
            nextEndpoint = (nextEndpoint + 1) % endpoints.size();
            delay = drain ? ThreadLocalRandom.current().nextLong(backoff.min().toMillis() + 1)
                    : backoff.delay(failures, ThreadLocalRandom.current()).toMillis();
            failures = Math.min(failures + 1, 62);
        }
        log.debug("Reconnecting to {} in {} ms", endpoints.get(nextEndpoint), delay);
        schedule(this::attemptConnect, delay);
    }

    private void checkHeartbeat(long tick) {
        if (closed) {
            return;
        }
        try {
            EdgeLink endpoint = link;
            if (endpoint != null && endpoint.session != null) {
                long idle = System.nanoTime() - endpoint.lastInboundNanos;
                if (idle > pingInterval.plus(heartbeatTimeout).toNanos()) {
                    dropped(endpoint, WsErrors.CLOSE_HEARTBEAT_TIMEOUT, "nothing from the edge for "
                            + TimeUnit.NANOSECONDS.toMillis(idle) + " ms", false);
                } else if (idle > pingInterval.toNanos() && !endpoint.pinged) {
                    endpoint.pinged = true;
                    endpoint.send(new WsRequest(WsRequest.PING, nextId.getAndIncrement(), null));
                }
            }
        } finally {
            synchronized (lifecycle) {
                heartbeatTask = schedule(() -> checkHeartbeat(tick), tick);
            }
        }
    }

    /**
     * Closes the connection and stops reconnecting; stops the Jetty client unless it is shared. Do not call
     * it from a listener callback when the client owns its Jetty client (stopping Jetty waits for its threads).
     */
    @Override
    public void close() {
        EdgeLink endpoint;
        synchronized (lifecycle) {
            closed = true;
            reconnecting = false;
            endpoint = link;
            link = null;
            if (heartbeatTask != null) {
                heartbeatTask.cancel();
            }
        }
        try {
            Session session = endpoint == null ? null : endpoint.session;
            if (session != null && session.isOpen()) {
                session.close(StatusCode.NORMAL, "client closed", Callback.NOOP);
            }
            if (ownsWs) {
                ws.stop();
            }
        } catch (Exception e) {
            log.warn("client did not stop cleanly", e);
        }
    }

    // ---------------------------------------------------------------- subscriptions

    /** Subscribes to a market's full book (with snapshot) and trades, in one request. */
    public void subscribe(String market) {
        subscribeNow(List.of(subs.addBook(market, 0, Channels.Cadence.RAW), subs.addStream(Channels.trades(subs.market(market)))));
    }

    /** Subscribes to a market's full book at every change ({@code book.<market>}). */
    public MarketDataClient subscribeBook(String market) {
        return subscribeBook(market, 0, Channels.Cadence.RAW);
    }

    /** Subscribes to the best {@code depth} levels of a market's book (10, 25, 100, 500, or 0 for all). */
    public MarketDataClient subscribeBook(String market, int depth) {
        return subscribeBook(market, depth, Channels.Cadence.RAW);
    }

    /**
     * Subscribes to a view of a market's book: {@code depth} 10, 25, 100, 500 or 0 (full), sent at every
     * change ({@code RAW}) or merged per 100 ms or 1 s. A client keeps one book per market.
     *
     * @throws IllegalArgumentException for an unknown market, a depth not offered, or a market whose book
     *                                  is already subscribed in another view
     */
    public MarketDataClient subscribeBook(String market, int depth, Channels.Cadence cadence) {
        subscribeNow(List.of(subs.addBook(market, depth, cadence)));
        return this;
    }

    /** Subscribes to a market's trades. */
    public MarketDataClient subscribeTrades(String market) {
        subscribeNow(List.of(subs.addStream(Channels.trades(subs.market(market)))));
        return this;
    }

    /** Subscribes to a market's 24 h ticker (the current state comes at once). */
    public MarketDataClient subscribeTicker(String market) {
        subscribeNow(List.of(subs.addStream(Channels.ticker(subs.market(market)))));
        return this;
    }

    /** Subscribes to a market's candles of one interval (the current candle comes at once). */
    public MarketDataClient subscribeKlines(String market, KlineInterval interval) {
        if (interval == null) {
            throw new IllegalArgumentException("kline interval must be given (1m, 5m, 15m, 1h, 4h or 1d)");
        }
        subscribeNow(List.of(subs.addStream(Channels.kline(subs.market(market), interval))));
        return this;
    }

    /**
     * Subscribes to the authenticated account's order updates and balance changes ({@code orders},
     * {@code balances}); the client authenticates with its token on every connection first.
     *
     * @throws IllegalStateException if the client has no token
     */
    public MarketDataClient subscribePrivate() {
        if (token == null) {
            throw new IllegalStateException("private channels need a token: build the client with .token(jwt)");
        }
        subscribeNow(List.of(subs.addStream(Channels.ORDERS), subs.addStream(Channels.BALANCES)));
        return this;
    }

    /** Sends a subscribe now if connected (fresh, no {@code since}); otherwise the next connection does. */
    private void subscribeNow(List<String> channels) {
        EdgeLink endpoint = link;
        if (endpoint != null && endpoint.session != null) {
            if (channels.stream().anyMatch(Subscriptions::isPrivate) && endpoint.account < 0 && !endpoint.authSent) {
                endpoint.authenticate(token, nextId.getAndIncrement());
            }
            endpoint.send(new WsRequest(WsRequest.SUBSCRIBE, nextId.getAndIncrement(), channels));
        }
    }

    /** On a new connection: auth if there is a token, then every subscription with its resume position. */
    private void subscribeAll(EdgeLink endpoint) {
        if (token != null) {
            endpoint.authenticate(token, nextId.getAndIncrement());
        }
        // public and private apart: a subscribe is all or nothing, and private ones fail without a valid token
        resubscribe(endpoint, subs.names(false));
        resubscribe(endpoint, subs.names(true));
    }

    /** Subscribes to channels the client already had, each with its resume position where it has one. */
    private void resubscribe(EdgeLink endpoint, List<String> channels) {
        List<String> wanted = new ArrayList<>();
        Map<String, Long> since = new LinkedHashMap<>();
        for (String name : channels) {
            Long position = subs.positionOf(name);
            if (position == null && !subs.isWanted(name)) {
                continue;
            }
            wanted.add(name);
            if (position != null) {
                since.put(name, position);
            }
        }
        if (!wanted.isEmpty()) {
            endpoint.send(new WsRequest(WsRequest.SUBSCRIBE, nextId.getAndIncrement(), wanted, null,
                    since.isEmpty() ? null : since));
        }
    }

    /** Drops a failed book and asks for a fresh snapshot: unsubscribe, then subscribe (the edge handles them in order). */
    private void resync(EdgeLink endpoint, LocalBook book) {
        String name = book.view().name();
        endpoint.send(new WsRequest(WsRequest.UNSUBSCRIBE, nextId.getAndIncrement(), List.of(name)));
        endpoint.send(new WsRequest(WsRequest.SUBSCRIBE, nextId.getAndIncrement(), List.of(name)));
    }

    private void later(Runnable task) {
        schedule(task, RETRY_DELAY.toMillis());
    }

    // ---------------------------------------------------------------- reading

    /**
     * A consistent copy of a market's verified book, all levels.
     *
     * @throws IllegalArgumentException if the market is unknown or its book not subscribed
     */
    public OrderBookView book(String market) {
        return book(market, 0);
    }

    /**
     * A consistent copy of the best {@code depth} levels of each side of a market's verified book
     * ({@code depth <= 0}: all), with its sequence; empty sides and sequence -1 while there is no verified book.
     *
     * @throws IllegalArgumentException if the market is unknown or its book not subscribed
     */
    public OrderBookView book(String market, int depth) {
        return subs.requireBook(market).snapshot(depth);
    }

    /** A copy of the verified book's side, best first (price to quantity, scaled); empty before the snapshot. */
    public NavigableMap<Long, Long> levels(String market, Side side) {
        return subs.requireBook(market).levels(side);
    }

    /** The engine sequence the local book is verified at, or -1 before the first snapshot (and during a resync). */
    public long sequence(String market) {
        return subs.requireBook(market).sequence();
    }

    /** Whether a connection to an edge is open. */
    public boolean connected() {
        EdgeLink endpoint = link;
        return endpoint != null && endpoint.isOpen();
    }

    /** The endpoint of the open connection, or null. */
    public URI endpoint() {
        EdgeLink endpoint = link;
        return endpoint != null && endpoint.session != null ? endpoint.uri : null;
    }

    /** The account the edge authenticated this client as, or -1. */
    public long account() {
        return account;
    }

    /** Books rebuilt from a fresh snapshot: after a failed check here, or on a snapshot the edge sent unasked. */
    public long resyncs() {
        return resyncs.get();
    }

    /** Book messages that failed a check here (a sequence gap or a checksum mismatch); each led to a resync. */
    public long failedChecks() {
        return failedChecks.get();
    }

    /** Book messages that passed both checks. */
    public long verifiedMessages() {
        return verified.get();
    }

    /** Book snapshots applied (the first of each subscription, and resyncs); a resume that needs none adds none. */
    public long snapshots() {
        return snapshots.get();
    }

    /** Gap notices received (messages the edge left out, see {@link MarketDataListener#onGap}). */
    public long gaps() {
        return gaps.get();
    }

    /** Connections opened after the first. */
    public long reconnects() {
        return reconnects.get();
    }

    /** {@code error} replies and notices received from the edge. */
    public long errors() {
        return errors.get();
    }

    // ---------------------------------------------------------------- messages

    void received(EdgeLink endpoint, String text) {
        // Channel messages (nearly all traffic) start with "ch" and, for gap notices, "type": read those two
        // fields with a streaming parser and the message once into its type, without building a tree first.
        MessageHead head = MessageHead.of(text);
        if (head != null) {
            try {
                channelMessage(endpoint, head.channel(), head.type(), text);
            } catch (IllegalArgumentException e) {
                log.warn("Message from {} does not match the protocol: {}", endpoint.uri, text, e);
            }
            return;
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            log.warn("Unreadable message from {}: {}", endpoint.uri, text, e);
            return;
        }
        if (node == null || !node.isObject()) {
            log.warn("Unexpected message from {}: {}", endpoint.uri, text);
            return;
        }
        try {
            if (node.has("op")) {
                control(endpoint, node);
            } else {
                channelMessage(endpoint, node.path("ch").asText(""), node.path("type").asText(null),
                        Json.write(node));
            }
        } catch (IllegalArgumentException e) {
            log.warn("Message from {} does not match the protocol: {}", endpoint.uri, text, e);
        }
    }

    /**
     * The leading {@code "ch"} (and {@code "type"}, when it follows) of a channel message as the edge writes it,
     * found by position, or null when the text does not start that way (control messages, escapes in the
     * channel name, anything malformed: those take the tree path and its reasons).
     */
    record MessageHead(String channel, String type) {
        private static final String CH = "{\"ch\":\"";
        private static final String TYPE = ",\"type\":\"";

        static MessageHead of(String text) {
            if (!text.startsWith(CH)) {
                return null;
            }
            int end = text.indexOf('"', CH.length());
            if (end < 0 || text.lastIndexOf('\\', end) >= CH.length()) {
                return null;
            }
            String channel = text.substring(CH.length(), end);
            String type = null;
            if (text.startsWith(TYPE, end + 1)) {
                int from = end + 1 + TYPE.length();
                int typeEnd = text.indexOf('"', from);
                if (typeEnd < 0 || text.lastIndexOf('\\', typeEnd) >= from) {
                    return null;
                }
                type = text.substring(from, typeEnd);
            }
            return new MessageHead(channel, type);
        }
    }

    private static <T> T as(JsonNode node, Class<T> type) {
        try {
            return Json.mapper().treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    private void control(EdgeLink endpoint, JsonNode node) {
        String op = node.get("op").asText();
        switch (op) {
            case WsNotice.PING -> endpoint.send(new WsRequest(WsRequest.PONG, null, null));
            case WsReply.PONG -> {
                endpoint.healthy();
                if (node.hasNonNull("id")) {
                    endpoint.pending.remove(node.get("id").asLong());
                }
            }
            case WsNotice.RECONNECT -> {
                WsNotice notice = as(node, WsNotice.class);
                log.info("{} is draining ({}): moving to another node", endpoint.uri, notice.reason());
                dropped(endpoint, WsErrors.CLOSE_SERVICE_RESTART, "edge asked to reconnect: " + notice.reason(), true);
            }
            case WsReply.OK -> {
                endpoint.healthy();
                WsReply reply = as(node, WsReply.class);
                WsRequest request = reply.id() == null ? null : endpoint.pending.remove(reply.id());
                if (request == null) {
                    return;
                }
                if (WsRequest.AUTH.equals(request.op()) && reply.account() != null) {
                    account = reply.account();
                    endpoint.account = reply.account();
                    notifyListener(() -> listener.onAuthenticated(reply.account()));
                } else if (WsRequest.LIST.equals(request.op())) {
                    restoreMissing(endpoint, reply.channels());
                }
            }
            case WsReply.ERROR -> edgeError(endpoint, as(node, WsReply.class));
            default -> log.debug("Unknown op from {}: {}", endpoint.uri, node);
        }
    }

    private void edgeError(EdgeLink endpoint, WsReply reply) {
        WsRequest request = reply.id() == null ? null : endpoint.pending.remove(reply.id());
        EdgeError error = new EdgeError(reply.code(), reply.reason(), request);
        errors.incrementAndGet();
        log.warn("Edge {} answered with an error: {}", endpoint.uri, error);
        notifyListener(() -> listener.onError(error));
        String code = reply.code() == null ? "" : reply.code();
        boolean transientError = code.equals(WsErrors.UNAVAILABLE) || code.equals(WsErrors.RATE_LIMITED);
        if (request == null) {
            if (code.equals(WsErrors.AUTH_FAILED)) {
                // the token expired: the edge dropped the private channels
                account = -1;
                subs.forgetPrivate();
            } else if (code.equals(WsErrors.UNAVAILABLE)) {
                // a channel could not be served: find out which by listing, and ask again
                later(() -> endpoint.send(new WsRequest(WsRequest.LIST, nextId.getAndIncrement(), null)));
            }
            return;
        }
        List<String> channels = request.channels() == null ? List.of() : request.channels();
        if (WsRequest.SUBSCRIBE.equals(request.op())) {
            if (transientError) {
                later(() -> {
                    if (link == endpoint) {
                        resubscribe(endpoint, channels);
                    }
                });
            } else if (channels.size() > 1) {
                // all or nothing: ask for each alone, so one bad channel does not keep the others out
                for (String name : channels) {
                    resubscribe(endpoint, List.of(name));
                }
            } else {
                channels.forEach(subs::forget);
            }
        } else if (WsRequest.UNSUBSCRIBE.equals(request.op()) && transientError) {
            // a resync's unsubscribe was refused, so its subscribe changed nothing: start the resync again
            later(() -> {
                for (LocalBook book : subs.books()) {
                    if (channels.contains(book.view().name()) && book.sequence() < 0 && link == endpoint) {
                        resync(endpoint, book);
                    }
                }
            });
        }
    }

    /** After an unasked {@code unavailable}: subscribes again to what the edge no longer lists. */
    private void restoreMissing(EdgeLink endpoint, List<String> listed) {
        List<String> missing = subs.missingFrom(listed == null ? List.of() : listed, endpoint.account);
        if (!missing.isEmpty()) {
            log.info("Subscribing again to {} on {}", missing, endpoint.uri);
            resubscribe(endpoint, missing);
        }
    }

    private void channelMessage(EdgeLink endpoint, String channel, String type, String text) {
        if (GapMessage.GAP.equals(type)) {
            GapMessage gap = Json.read(text, GapMessage.class);
            gaps.incrementAndGet();
            log.info("Gap on {}: {} after {} (trade ids {}..{})", gap.channel(), gap.reason(), gap.after(),
                    gap.fromId(), gap.toId());
            notifyListener(() -> listener.onGap(gap));
            return;
        }
        endpoint.healthy();
        String kind = channel.indexOf('.') < 0 ? channel : channel.substring(0, channel.indexOf('.'));
        switch (kind) {
            case Channels.BOOK -> book(endpoint, BookMessageReader.read(text));
            case Channels.TRADES -> {
                TradeMessage trade = Json.read(text, TradeMessage.class);
                if (subs.advance(channel, trade.seq())) {
                    notifyListener(() -> listener.onTrade(trade));
                }
            }
            case Channels.TICKER -> {
                TickerMessage ticker = Json.read(text, TickerMessage.class);
                if (subs.advance(channel, ticker.seq())) {
                    notifyListener(() -> listener.onTicker(ticker));
                }
            }
            case Channels.KLINE -> {
                KlineMessage kline = Json.read(text, KlineMessage.class);
                if (subs.advance(channel, kline.seq())) {
                    notifyListener(() -> listener.onKline(kline));
                }
            }
            case Channels.ORDERS -> {
                AccountMessage update = Json.read(text, AccountMessage.class);
                if (subs.advance(Channels.ORDERS, update.seq())) {
                    notifyListener(() -> listener.onOrderUpdate(update));
                }
            }
            case Channels.BALANCES -> {
                AccountMessage update = Json.read(text, AccountMessage.class);
                if (subs.advance(Channels.BALANCES, update.seq())) {
                    notifyListener(() -> listener.onBalanceUpdate(update));
                }
            }
            default -> log.warn("Message on an unknown channel from {}: {}", endpoint.uri, text);
        }
    }

    private void book(EdgeLink endpoint, BookMessage message) {
        LocalBook book = subs.bookOf(message.channel());
        if (book == null) {
            return;
        }
        String market = book.view().market();
        if (message.resync() != null) {
            resyncs.incrementAndGet();
            log.info("{}: the edge resynced the book ({})", message.channel(), message.resync());
            notifyListener(() -> listener.onResync(market, message.resync()));
        }
        LocalBook.Outcome outcome = book.apply(message);
        if (outcome == LocalBook.Outcome.APPLIED) {
            verified.incrementAndGet();
            if (message.isSnapshot()) {
                snapshots.incrementAndGet();
            }
            notifyListener(() -> {
                listener.onBook(market, message.lastSeq());
                listener.onBookMessage(market, message);
            });
        } else if (outcome == LocalBook.Outcome.FAILED) {
            String problem = book.problem();
            resyncs.incrementAndGet();
            failedChecks.incrementAndGet();
            log.warn("{}: {}; resyncing", message.channel(), problem);
            notifyListener(() -> listener.onResync(market, problem));
            resync(endpoint, book);
        }
    }

    boolean isCurrent(EdgeLink endpoint) {
        return link == endpoint;
    }

    /** The edge answered on the link: the connection works, so the back-off starts from the bottom again. */
    void linkWorks(EdgeLink endpoint) {
        synchronized (lifecycle) {
            if (link == endpoint) {
                failures = 0;
            }
        }
    }

    private void notifyListener(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.error("A MarketDataClient listener failed", e);
        }
    }
}
