package io.marketstream.client;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.protocol.ws.WsRequest;

/**
 * A WebSocket client that keeps a verified local order book per subscribed market. Every book
 * message is checked before it counts: a delta must start at the previous {@code u + 1}, and after
 * applying it the book's checksum must equal {@code cs}. When either check fails the client drops
 * the book and subscribes again, which brings a fresh snapshot (a resync).
 *
 * <p>Thread-safety: messages are applied on the WebSocket thread; {@link #levels} and the counters
 * may be read from any thread.
 */
public final class MarketDataClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MarketDataClient.class);

    private final MarketCatalog catalog;
    private final BookListener listener;
    private final WebSocketClient ws;
    /** Whether {@link #ws} is this client's own (started and stopped here) or shared by many clients. */
    private final boolean ownsWs;
    private final Map<String, LocalBook> books = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong resyncs = new AtomicLong();
    private final AtomicLong verified = new AtomicLong();
    private volatile Session session;

    /** A market's book and the sequence it is verified at; guarded by its own monitor. */
    private static final class LocalBook {
        final L2Book book;
        long u = -1;

        LocalBook(MarketSpec spec) {
            this.book = new L2Book(spec);
        }
    }

    public MarketDataClient(MarketCatalog catalog, BookListener listener) {
        this(catalog, listener, new WebSocketClient(), true);
    }

    /**
     * A client on a started {@link WebSocketClient} shared with other clients (one thread pool for
     * many connections, as a load generator needs); {@link #close()} leaves it running.
     */
    public MarketDataClient(MarketCatalog catalog, BookListener listener, WebSocketClient shared) {
        this(catalog, listener, shared, false);
    }

    private MarketDataClient(MarketCatalog catalog, BookListener listener, WebSocketClient ws, boolean ownsWs) {
        this.catalog = catalog;
        this.listener = listener;
        this.ws = ws;
        this.ownsWs = ownsWs;
    }

    /** Connects to an edge's {@code ws://host:port/ws}, waiting at most {@code timeout}. */
    public MarketDataClient connect(URI uri, Duration timeout) {
        try {
            if (ownsWs) {
                ws.start();
            }
            session = ws.connect(new Endpoint(), uri).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return this;
        } catch (Exception e) {
            close();
            throw new IllegalStateException("could not connect to " + uri, e);
        }
    }

    /** Subscribes to a market's book (with snapshot) and trades. */
    public void subscribe(String market) {
        MarketSpec spec = catalog.get(market);
        books.put(market, new LocalBook(spec));
        send(WsRequest.SUBSCRIBE, Channels.book(market), Channels.trades(market));
    }

    private void send(String op, String... channels) {
        String json = Json.write(new WsRequest(op, nextId.getAndIncrement(), java.util.List.of(channels)));
        session.sendText(json, Callback.from(() -> { }, e -> log.warn("send failed: {}", json, e)));
    }

    /** A copy of the verified book's side, best first (price to quantity, scaled); empty before the snapshot. */
    public NavigableMap<Long, Long> levels(String market, Side side) {
        LocalBook local = books.get(market);
        synchronized (local) {
            return local.book.copyOf(side);
        }
    }

    /** The engine sequence the local book is verified at, or -1 before the first snapshot. */
    public long sequence(String market) {
        LocalBook local = books.get(market);
        synchronized (local) {
            return local.u;
        }
    }

    public long resyncs() {
        return resyncs.get();
    }

    /** Book messages that passed both checks. */
    public long verifiedMessages() {
        return verified.get();
    }

    private void onBook(BookMessage message) {
        String market = Channels.parse(message.channel()).orElseThrow().market();
        LocalBook local = books.get(market);
        if (local == null) {
            return;
        }
        String problem = null;
        synchronized (local) {
            if (message.isSnapshot()) {
                local.book.replace(message.bids(), message.asks());
                local.u = message.lastSeq();
            } else if (local.u < 0) {
                return;
            } else if (message.firstSeq() != local.u + 1) {
                problem = "sequence gap: expected U=" + (local.u + 1) + ", got " + message.firstSeq();
            } else {
                local.book.apply(message.bids(), message.asks());
                local.u = message.lastSeq();
            }
            if (problem == null && local.book.checksum() != message.checksum()) {
                problem = "checksum mismatch at u=" + message.lastSeq();
            }
            if (problem != null) {
                local.u = -1;
                local.book.replace(java.util.List.of(), java.util.List.of());
            }
        }
        if (problem != null) {
            resyncs.incrementAndGet();
            log.warn("{}: {}; resyncing", market, problem);
            listener.onResync(market, problem);
            send(WsRequest.UNSUBSCRIBE, Channels.book(market));
            send(WsRequest.SUBSCRIBE, Channels.book(market));
            return;
        }
        verified.incrementAndGet();
        listener.onBook(market, message.lastSeq());
        listener.onBookMessage(market, message);
    }

    /** Public only because Jetty invokes listener methods reflectively. */
    public final class Endpoint implements Session.Listener.AutoDemanding {
        @Override
        public void onWebSocketText(String text) {
            JsonNode node;
            try {
                node = Json.mapper().readTree(text);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                log.warn("unreadable message from the edge: {}", text, e);
                return;
            }
            if (node.has("op")) {
                if ("error".equals(node.get("op").asText())) {
                    log.warn("edge answered with an error: {}", text);
                }
                return;
            }
            String channel = node.path("ch").asText();
            if (channel.startsWith(Channels.BOOK + ".")) {
                onBook(Json.read(text, BookMessage.class));
            } else if (channel.startsWith(Channels.TRADES + ".")) {
                listener.onTrade(Json.read(text, TradeMessage.class));
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            log.info("connection closed: {} {}", statusCode, reason);
        }
    }

    @Override
    public void close() {
        try {
            Session s = session;
            if (s != null) {
                s.close();
            }
            if (ownsWs) {
                ws.stop();
            }
        } catch (Exception e) {
            log.warn("client did not stop cleanly", e);
        }
    }
}
