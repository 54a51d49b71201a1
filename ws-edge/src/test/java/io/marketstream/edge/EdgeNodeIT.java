package io.marketstream.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.protocol.Side;
import io.marketstream.redis.RedisMarketDataPublisher;

/** The edge's protocol over a real WebSocket, with market data published into a real Redis. */
class EdgeNodeIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static EmbeddedRedis redis;
    private static RedisClient redisClient;
    private static RedisMarketDataPublisher publisher;
    private static EdgeNode edge;
    private static final WebSocketClient ws = new WebSocketClient();

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private Session session;

    /** Public for Jetty's reflective invocation. */
    public final class Recorder implements Session.Listener.AutoDemanding {
        @Override
        public void onWebSocketText(String message) {
            received.add(message);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        redis = EmbeddedRedis.start();
        redisClient = RedisClient.create(redis.uri());
        publisher = new RedisMarketDataPublisher(redisClient);
        edge = new EdgeNode(new EdgeConfig("127.0.0.1", 0, 1 << 20, 3, 4096, Duration.ofSeconds(30)),
                CATALOG, redis.uri()).start();
        ws.start();
        publisher.publishBook(new BookMessage("book.BTC-USD", BookMessage.SNAPSHOT, 10, 10,
                List.of(new PriceLevel("100.00", "1.0000")), List.of(new PriceLevel("101.00", "2.0000")),
                0, 1), true);
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        edge.close();
        publisher.close();
        redisClient.shutdown();
        redis.close();
    }

    @BeforeEach
    void connect() throws Exception {
        session = ws.connect(new Recorder(), URI.create("ws://127.0.0.1:" + edge.port() + "/ws"))
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() {
        session.close();
    }

    private void send(String text) {
        session.sendText(text, Callback.NOOP);
    }

    private JsonNode next() throws InterruptedException {
        String message = received.poll(10, TimeUnit.SECONDS);
        assertThat(message).as("a message within 10 s").isNotNull();
        return Json.mapper().valueToTree(Json.read(message, Object.class));
    }

    @Test
    void shouldSendSnapshotThenLiveDeltasAndTrades() throws Exception {
        send("{\"op\":\"subscribe\",\"id\":1,\"ch\":[\"book.BTC-USD\",\"trades.BTC-USD\"]}");
        JsonNode ok = next();
        assertThat(ok.get("op").asText()).isEqualTo("ok");
        assertThat(ok.get("id").asLong()).isEqualTo(1);
        JsonNode snapshot = next();
        assertThat(snapshot.get("type").asText()).isEqualTo("snapshot");
        assertThat(snapshot.get("u").asLong()).isGreaterThanOrEqualTo(10);
        long u = snapshot.get("u").asLong();
        await().atMost(Duration.ofSeconds(5)).until(() -> edge.subscriber().channels().contains("trades.BTC-USD"));

        BookMessage delta = new BookMessage("book.BTC-USD", BookMessage.DELTA, u + 1, u + 2,
                List.of(new PriceLevel("100.00", "0.0000")), List.of(), 5, 2);
        assertThat(publisher.publishBook(delta, false)).isEqualTo(RedisMarketDataPublisher.Outcome.PUBLISHED);
        TradeMessage trade = new TradeMessage("trades.BTC-USD", u + 2, 1, "100.00", "1.0000", Side.SELL, 2);
        publisher.publishTrade(trade);

        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(Json.write(delta));
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(Json.write(trade));
    }

    @Test
    void shouldAnswerEveryBadRequestWithAnErrorAndKeepTheConnection() throws Exception {
        send("{not json");
        JsonNode malformed = next();
        assertThat(malformed.get("op").asText()).isEqualTo("error");
        assertThat(malformed.get("code").asText()).isEqualTo("bad_request");

        send("null");
        assertThat(next().get("code").asText()).isEqualTo("bad_request");

        send("{\"op\":\"teleport\",\"id\":2}");
        JsonNode unknownOp = next();
        assertThat(unknownOp.get("code").asText()).isEqualTo("unknown_op");
        assertThat(unknownOp.get("id").asLong()).isEqualTo(2);

        send("{\"op\":\"subscribe\",\"id\":3,\"ch\":[\"book.NOPE-USD\"]}");
        JsonNode unknownChannel = next();
        assertThat(unknownChannel.get("code").asText()).isEqualTo("unknown_channel");
        assertThat(unknownChannel.get("reason").asText()).contains("book.NOPE-USD");

        send("{\"op\":\"subscribe\",\"id\":4,\"ch\":[\"book.BTC-USD\",\"trades.BTC-USD\",\"book.ETH-USD\",\"trades.ETH-USD\"]}");
        JsonNode tooMany = next();
        assertThat(tooMany.get("code").asText()).isEqualTo("too_many_subscriptions");

        send("{\"op\":\"ping\",\"id\":5}");
        JsonNode pong = next();
        assertThat(pong.get("op").asText()).isEqualTo("pong");
        assertThat(pong.get("id").asLong()).isEqualTo(5);
        assertThat(session.isOpen()).isTrue();
    }

    @Test
    void shouldDropTheRedisSubscriptionWhenTheLastSubscriberLeaves() throws Exception {
        send("{\"op\":\"subscribe\",\"id\":1,\"ch\":[\"trades.ETH-USD\"]}");
        assertThat(next().get("op").asText()).isEqualTo("ok");
        await().atMost(Duration.ofSeconds(5)).until(() -> edge.subscriber().channels().contains("trades.ETH-USD"));
        send("{\"op\":\"unsubscribe\",\"id\":2,\"ch\":[\"trades.ETH-USD\"]}");
        assertThat(next().get("op").asText()).isEqualTo("ok");
        await().atMost(Duration.ofSeconds(5)).until(() -> !edge.subscriber().channels().contains("trades.ETH-USD"));
    }

    @Test
    void shouldServeHealthAndRejectBadRestParameters() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + edge.port() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> badLimit = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + edge.port() + "/api/v1/depth?market=BTC-USD&limit=abc")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(badLimit.body()).contains("limit");
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + edge.port() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>marketstream");
    }
}
