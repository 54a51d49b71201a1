package io.marketstream.edge;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.lettuce.core.RedisClient;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.redis.RedisMarketDataReader;
import io.marketstream.redis.RedisMarketDataSubscriber;

/**
 * A WebSocket edge node: Jetty 12 serving {@code /ws} (the market-data protocol), {@code /healthz},
 * {@code /api/v1/...} (REST reads from Redis) and the live page at {@code /}. It never sees Kafka:
 * everything comes from Redis, through one pub/sub connection for the whole node.
 */
public final class EdgeNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EdgeNode.class);

    private final EdgeConfig config;
    private final MarketCatalog catalog;
    private final RedisClient redis;
    private final RedisMarketDataSubscriber subscriber;
    private final RedisMarketDataReader reader;
    private final ExecutorService executor;
    private final Server server;
    private final ServerConnector connector;

    public EdgeNode(EdgeConfig config, MarketCatalog catalog, String redisUri) {
        this.config = config;
        this.catalog = catalog;
        this.redis = RedisClient.create(redisUri);
        this.subscriber = new RedisMarketDataSubscriber(redis);
        this.reader = new RedisMarketDataReader(redis, catalog);
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "edge-snapshots");
            t.setDaemon(true);
            return t;
        });

        this.server = new Server();
        this.connector = new ServerConnector(server);
        connector.setHost(config.host());
        connector.setPort(config.port());
        server.addConnector(connector);

        ContextHandler context = new ContextHandler("/");
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, context, container -> {
            container.setMaxTextMessageSize(config.maxMessageBytes());
            container.setIdleTimeout(config.idleTimeout());
            container.addMapping("/ws", (request, response, callback) -> new ClientSession(this));
        });
        ResourceHandler page = new ResourceHandler();
        page.setBaseResource(ResourceFactory.of(server).newClassLoaderResource("web/"));
        page.setDirAllowed(false);
        page.setWelcomeFiles("index.html");
        ws.setHandler(new Handler.Sequence(new HttpApi(catalog, reader, subscriber), page));
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
        log.info("Edge node listening on http://{}:{}/ (WebSocket at /ws)", config.host(), port());
        return this;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    EdgeConfig config() {
        return config;
    }

    MarketCatalog catalog() {
        return catalog;
    }

    RedisMarketDataSubscriber subscriber() {
        return subscriber;
    }

    RedisMarketDataReader reader() {
        return reader;
    }

    ExecutorService executor() {
        return executor;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("Jetty did not stop cleanly", e);
        }
        executor.shutdownNow();
        subscriber.close();
        reader.close();
        redis.shutdown();
    }
}
