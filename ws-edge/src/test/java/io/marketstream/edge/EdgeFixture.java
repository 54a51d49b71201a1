package io.marketstream.edge;

import io.lettuce.core.RedisClient;
import org.eclipse.jetty.websocket.client.WebSocketClient;

import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.redis.RedisClients;
import io.marketstream.redis.RedisMarketDataPublisher;

/**
 * What the edge's integration tests share: a real {@code redis-server}, a client and a publisher on it
 * (writing market data the way the streams job does), and a started WebSocket client.
 */
final class EdgeFixture implements AutoCloseable {
    final EmbeddedRedis redis;
    final RedisClient client;
    final RedisMarketDataPublisher publisher;
    final WebSocketClient ws;

    private EdgeFixture(EmbeddedRedis redis, RedisClient client, RedisMarketDataPublisher publisher, WebSocketClient ws) {
        this.redis = redis;
        this.client = client;
        this.publisher = publisher;
        this.ws = ws;
    }

    static EdgeFixture start() throws Exception {
        EmbeddedRedis redis = EmbeddedRedis.start();
        RedisClient client = RedisClients.create(redis.uri());
        WebSocketClient ws = new WebSocketClient();
        ws.start();
        return new EdgeFixture(redis, client, new RedisMarketDataPublisher(client), ws);
    }

    /** Empties Redis, so that each test starts from no market data. */
    void flushRedis() {
        try (var connection = client.connect()) {
            connection.sync().flushall();
        }
    }

    @Override
    public void close() throws Exception {
        ws.stop();
        publisher.close();
        client.shutdown();
        redis.close();
    }
}
