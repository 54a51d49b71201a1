package io.marketstream.edge;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.ws.WsErrors;
import io.marketstream.redis.RedisClients;
import io.marketstream.redis.RedisMarketDataReader;
import io.marketstream.redis.RedisMarketDataSubscriber;

/**
 * A WebSocket edge node: Jetty 12 serving {@code /ws} (the market-data protocol, {@code docs/protocol.md}),
 * {@code /api/v1/...} (REST reads from Redis), {@code /healthz}, {@code /readyz}, {@code /metrics} and the
 * live page at {@code /}. It never sees Kafka: everything comes from Redis, through one pub/sub connection
 * for the whole node, each channel subscribed while it has local subscribers.
 */
public final class EdgeNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EdgeNode.class);

    /** Jetty's output buffer per write: frames smaller than a quarter of it are gathered into it. */
    static final int OUTPUT_BUFFER_BYTES = 32 * 1024;

    private final EdgeConfig config;
    private final MarketCatalog catalog;
    private final RedisClient redis;
    private final RedisMarketDataSubscriber subscriber;
    private final RedisMarketDataReader reader;
    private final EdgeMetrics metrics = new EdgeMetrics();
    private final ChannelHub hub;
    private final Connections connections;
    private final TokenVerifier tokens;
    private final Server server;
    private final ServerConnector connector;
    private volatile boolean draining;
    private ScheduledFuture<?> sweeper;

    public EdgeNode(EdgeConfig config, MarketCatalog catalog, String redisUri) {
        this.config = config;
        this.catalog = catalog;
        this.redis = RedisClients.create(redisUri);
        this.subscriber = new RedisMarketDataSubscriber(redis);
        this.reader = new RedisMarketDataReader(redis, catalog);
        this.hub = new ChannelHub(config, catalog, subscriber, reader, metrics);
        this.connections = new Connections(config, metrics);
        this.tokens = config.jwtSecret() == null ? null : new TokenVerifier(config.jwtSecret());

        this.server = new Server();
        this.connector = new ServerConnector(server);
        connector.setHost(config.host());
        connector.setPort(config.port());
        if (config.socketSendBufferBytes() > 0) {
            connector.setAcceptedSendBufferSize(config.socketSendBufferBytes());
        }
        server.addConnector(connector);

        ContextHandler context = new ContextHandler("/");
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, context, container -> {
            container.setMaxTextMessageSize(config.maxMessageBytes());
            container.setIdleTimeout(config.jettyIdleTimeout());
            // what a connection's writer hands Jetty at once (a fan-out round: up to BookTopic.MAX_MESSAGES_PER_ROUND
            // frames) is gathered in one buffer of this size and written in one go; it is taken from Jetty's pool
            // for the write only, so an idle connection holds none
            container.setOutputBufferSize(OUTPUT_BUFFER_BYTES);
            container.addMapping("/ws", (request, response, callback) -> {
                String origin = request.getHeaders().get("Origin");
                if (!config.allowedOrigins().isEmpty() && (origin == null || !config.allowedOrigins().contains(origin))) {
                    metrics.rejected("origin");
                    Response.writeError(request, response, callback, HttpStatus.FORBIDDEN_403,
                            "Origin " + origin + " is not allowed");
                    return null;
                }
                if (draining) {
                    metrics.rejected("draining");
                    Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503,
                            "this node is shutting down; connect to another");
                    return null;
                }
                String address = Connection.addressOf(request.getConnectionMetaData().getRemoteSocketAddress());
                if (!connections.reserve(address)) {
                    Response.writeError(request, response, callback, HttpStatus.TOO_MANY_REQUESTS_429,
                            "too many connections from " + address + " (at most " + config.maxConnectionsPerIp() + ")");
                    return null;
                }
                if (!config.permessageDeflate()) {
                    response.setExtensions(List.of());
                }
                return new Connection(this, address);
            });
        });
        ResourceHandler page = new ResourceHandler();
        page.setBaseResource(ResourceFactory.of(server).newClassLoaderResource("web/"));
        page.setDirAllowed(false);
        page.setWelcomeFiles("index.html");
        ws.setHandler(new Handler.Sequence(new MetricsHandler(metrics.registry()), new HttpApi(catalog, reader, subscriber, this::isAccepting),
                page));
        context.setHandler(ws);
        server.setHandler(context);
    }

    /** Starts listening; returns once the port is bound. */
    public EdgeNode start() {
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("edge could not listen on " + config.host() + ":" + config.port(), e);
        }
        long period = Math.max(50, Math.min(1000, config.pingInterval().toMillis() / 2));
        sweeper = hub.timer().scheduleAtFixedRate(() -> {
            try {
                connections.sweep();
            } catch (RuntimeException e) {
                log.error("Connection sweep failed", e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
        log.info("Edge node listening on http://{}:{}/ (WebSocket at /ws)", config.host(), port());
        return this;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** Whether the node accepts new connections (false once draining). */
    public boolean isAccepting() {
        return !draining;
    }

    /**
     * Graceful drain (SIGTERM): refuses new connections, tells every client to reconnect with its resume
     * positions, waits {@link EdgeConfig#drainGrace()} (less if every client has left), then closes the
     * remaining connections with 1012.
     */
    public void drain() {
        draining = true;
        List<Connection> open = connections.all();
        log.info("Draining: telling {} connection(s) to reconnect within {}", open.size(), config.drainGrace());
        for (Connection connection : open) {
            connection.announceDrain(config.drainGrace().toMillis());
        }
        long deadline = System.nanoTime() + config.drainGrace().toNanos();
        while (connections.size() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Connection connection : connections.all()) {
            connection.close(WsErrors.CLOSE_SERVICE_RESTART, "node restarting: reconnect and resume");
        }
    }

    EdgeConfig config() {
        return config;
    }

    MarketCatalog catalog() {
        return catalog;
    }

    ChannelHub hub() {
        return hub;
    }

    EdgeMetrics metrics() {
        return metrics;
    }

    Connections connections() {
        return connections;
    }

    /** The verifier of auth tokens, or null if no secret is configured. */
    TokenVerifier tokens() {
        return tokens;
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("Jetty did not stop cleanly", e);
        }
        hub.close();
        subscriber.close();
        reader.close();
        redis.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
