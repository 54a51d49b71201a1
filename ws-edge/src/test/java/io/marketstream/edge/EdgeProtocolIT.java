package io.marketstream.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.redis.MarketPublication;

/**
 * The edge's wire protocol over real WebSockets, with market data published into a real Redis the way
 * the streams job publishes it: every request and its errors, book views, tickers, candles, trades,
 * private channels.
 */
class EdgeProtocolIT {
    static final MarketCatalog CATALOG = MarketCatalog.defaults();
    static final MarketSpec BTC = CATALOG.get("BTC-USD");
    private static EdgeFixture fixture;
    private EdgeNode edge;

    @BeforeAll
    static void startRedis() throws Exception {
        fixture = EdgeFixture.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        fixture.close();
    }

    @BeforeEach
    void startEdge() {
        fixture.flushRedis();
        edge = new EdgeNode(EdgeConfig.defaults(0).toBuilder().host("127.0.0.1").maxSubscriptions(4).maxMessageBytes(4096).build(), CATALOG,
                fixture.redis.uri()).start();
    }

    @AfterEach
    void stopEdge() {
        edge.close();
    }

    private WsTestClient connect() throws Exception {
        return new WsTestClient(fixture.ws, edge.port());
    }

    @Test
    void shouldForwardReplayChannelsAsPublishedToTheirSessionsSubscribersOnly() throws Exception {
        try (WsTestClient client = connect(); WsTestClient other = connect();
             var redis = fixture.client.connect()) {
            JsonNode ok = client.subscribe("replay.t1.trades.BTC-USD", "replay.t1");
            assertThat(ok.get("op").asText()).isEqualTo("ok");
            assertThat(ok.get("ch")).extracting(JsonNode::asText).containsExactly("replay.t1.trades.BTC-USD", "replay.t1");
            assertThat(other.subscribe("replay.t2.trades.BTC-USD").get("op").asText()).isEqualTo("ok");
            await().until(() -> edge.hub().subscriber().channels().containsAll(
                    List.of("replay.t1.trades.BTC-USD", "replay.t1", "replay.t2.trades.BTC-USD")));

            String start = "{\"ch\":\"replay.t1\",\"type\":\"start\"}";
            String trade1 = Json.write(new TradeMessage("replay.t1.trades.BTC-USD", 4, 1, "100.00", "1.0000", Side.SELL, 1));
            String trade2 = Json.write(new TradeMessage("replay.t1.trades.BTC-USD", 6, 2, "101.00", "0.5000", Side.BUY, 2));
            redis.sync().publish(io.marketstream.protocol.RedisKeys.pubsub("replay.t1"), start);
            redis.sync().publish(io.marketstream.protocol.RedisKeys.pubsub("replay.t1.trades.BTC-USD"), trade1);
            redis.sync().publish(io.marketstream.protocol.RedisKeys.pubsub("replay.t1.trades.BTC-USD"), trade2);
            assertThat(client.next()).isEqualTo(Json.mapper().readTree(start));
            assertThat(client.next()).isEqualTo(Json.mapper().readTree(trade1));
            assertThat(client.next()).isEqualTo(Json.mapper().readTree(trade2));
            assertThat(other.poll(Duration.ofMillis(300))).as("another session's subscriber gets nothing").isNull();

            for (String bad : List.of("replay.T1.trades.BTC-USD", "replay.t1.trades.DOGE-USD", "replay.t1.orders.7",
                    "replay.t1.book.BTC-USD.25", "replay.")) {
                JsonNode error = client.replyTo(client.request("subscribe", "\"ch\":[\"" + bad + "\"]"));
                assertThat(error.get("op").asText()).as(bad).isEqualTo("error");
                assertThat(error.get("code").asText()).as(bad).isEqualTo("unknown_channel");
            }
            JsonNode unsubscribed = client.replyTo(client.request("unsubscribe", "\"ch\":[\"replay.t1\"]"));
            assertThat(unsubscribed.get("ch")).extracting(JsonNode::asText).containsExactly("replay.t1");
            await().until(() -> !edge.hub().subscriber().channels().contains("replay.t1"));
        }
    }

    @Test
    void shouldSendSnapshotThenDeltasAndTradesAsPublished() throws Exception {
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 1);
        feed.snapshot(5);
        try (WsTestClient client = connect()) {
            JsonNode ok = client.subscribe("book.BTC-USD", "trades.BTC-USD");
            assertThat(ok.get("op").asText()).isEqualTo("ok");
            assertThat(ok.get("ch")).hasSize(2);
            JsonNode snapshot = client.next();
            assertThat(snapshot.get("type").asText()).isEqualTo("snapshot");
            assertThat(snapshot.get("u").asLong()).isEqualTo(feed.u);
            assertThat(snapshot.has("resync")).isFalse();
            await().until(() -> edge.hub().subscriber().channels().contains("trades.BTC-USD"));

            BookMessage delta = feed.delta();
            TradeMessage trade = new TradeMessage("trades.BTC-USD", feed.u, 1, "100.00", "1.0000", Side.SELL,
                    System.currentTimeMillis());
            fixture.publisher.publishTrade(trade);
            assertThat(client.next()).isEqualTo(Json.mapper().readTree(Json.write(delta)));
            assertThat(client.next()).isEqualTo(Json.mapper().readTree(Json.write(trade)));
        }
    }

    @Test
    void shouldKeepEveryBookViewExactAndVerifiableWhileTheBookChanges() throws Exception {
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 2);
        feed.snapshot(60);
        List<String> views = List.of("book.BTC-USD", "book.BTC-USD.10", "book.BTC-USD.25@100ms", "book.BTC-USD@100ms",
                "book.BTC-USD.100@1000ms");
        List<Integer> depths = List.of(0, 10, 25, 0, 100);
        edge.close();
        edge = new EdgeNode(EdgeConfig.defaults(0).toBuilder().host("127.0.0.1").build(), CATALOG, fixture.redis.uri()).start();
        try (WsTestClient client = connect()) {
            JsonNode ok = client.subscribe(views.toArray(String[]::new));
            assertThat(ok.get("ch")).hasSize(views.size());
            BookReplica[] replicas = new BookReplica[views.size()];
            for (int i = 0; i < replicas.length; i++) {
                replicas[i] = new BookReplica(BTC, depths.get(i));
            }
            long mergedBefore = edge.metrics().mergedDeltas();
            for (int i = 0; i < 400; i++) {
                feed.delta();
            }
            long last = feed.u;
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                JsonNode message;
                while ((message = client.poll(Duration.ofMillis(50))) != null) {
                    replicas[views.indexOf(message.get("ch").asText())].apply(message);
                }
                for (int i = 0; i < replicas.length; i++) {
                    if (replicas[i].u != last && depths.get(i) == 0) {
                        return false;
                    }
                    if (!replicas[i].matches(feed.truth)) {
                        return false;
                    }
                }
                return true;
            });
            assertThat(replicas[0].deltas).as("raw full book: one delta per published delta, but where the node fell behind")
                    .isEqualTo(last - replicas[0].firstU - (edge.metrics().mergedDeltas() - mergedBefore));
            assertThat(replicas[1].deltas).as("depth 10 sends only visible changes").isLessThan(400).isPositive();
            assertThat(replicas[3].deltas).as("100 ms windows merge deltas").isLessThan(400);
        }
    }

    @Test
    void shouldSendTheCurrentTickerAndCandleOnSubscribeThenUpdates() throws Exception {
        TickerMessage ticker = new TickerMessage("ticker.BTC-USD", 1, 5, "100.00", "99.00", "101.00", "98.00", "1.00",
                "1.01", "3.0000", "300.000000", 3, "99.50", "1.0000", "100.50", "2.0000", 1_000);
        KlineMessage candle = new KlineMessage("kline.BTC-USD.1m", 1, 5, KlineInterval.M1, 0, 59_999, "99.00", "101.00",
                "98.00", "100.00", "3.0000", "300.000000", 3, 1, 3, false, 1_000);
        fixture.publisher.publish(new MarketPublication("BTC-USD", null, false, null, List.of(candle), ticker));
        try (WsTestClient client = connect()) {
            client.subscribe("ticker.BTC-USD", "kline.BTC-USD.1m");
            JsonNode first = client.next();
            JsonNode second = client.next();
            assertThat(List.of(first.get("ch").asText(), second.get("ch").asText()))
                    .containsExactlyInAnyOrder("ticker.BTC-USD", "kline.BTC-USD.1m");
            await().until(() -> edge.hub().subscriber().channels().containsAll(List.of("ticker.BTC-USD", "kline.BTC-USD.1m")));
            TickerMessage next = new TickerMessage("ticker.BTC-USD", 2, 6, "100.50", "99.00", "101.00", "98.00", "1.50",
                    "1.52", "4.0000", "400.500000", 4, "99.50", "1.0000", "100.50", "1.0000", 2_000);
            fixture.publisher.publish(new MarketPublication("BTC-USD", null, false, null, List.of(), next));
            JsonNode update = client.next();
            assertThat(update.get("ch").asText()).isEqualTo("ticker.BTC-USD");
            assertThat(update.get("seq").asLong()).isEqualTo(2);
            assertThat(update.get("last").asText()).isEqualTo("100.50");
        }
    }

    @Test
    void shouldAnswerListPingAndUnsubscribeAndDropTheRedisSubscriptionAfterTheLast() throws Exception {
        try (WsTestClient client = connect()) {
            client.subscribe("trades.ETH-USD", "book.ETH-USD.10@100ms");
            await().until(() -> edge.hub().subscriber().channels().contains("trades.ETH-USD"));
            JsonNode list = client.replyTo(client.request("list", ""));
            assertThat(list.get("op").asText()).isEqualTo("ok");
            assertThat(Json.write(list.get("ch"))).contains("trades.ETH-USD", "book.ETH-USD.10@100ms");
            JsonNode pong = client.replyTo(client.request("ping", ""));
            assertThat(pong.get("op").asText()).isEqualTo("pong");
            assertThat(pong.get("ts").asLong()).isPositive();
            JsonNode unsubscribed = client.replyTo(client.request("unsubscribe", "\"ch\":[\"trades.ETH-USD\"]"));
            assertThat(unsubscribed.get("ch").get(0).asText()).isEqualTo("trades.ETH-USD");
            await().until(() -> !edge.hub().subscriber().channels().contains("trades.ETH-USD"));
            assertThat(edge.hub().subscriber().channels()).contains("book.ETH-USD");
        }
    }

    @Test
    void shouldAnswerEveryBadRequestWithAnErrorAndKeepTheConnection() throws Exception {
        try (WsTestClient client = connect()) {
            client.send("{not json");
            assertThat(client.next().get("code").asText()).isEqualTo("bad_request");
            client.send("null");
            assertThat(client.next().get("code").asText()).isEqualTo("bad_request");
            client.send("{\"id\":1}");
            JsonNode noOp = client.next();
            assertThat(noOp.get("code").asText()).isEqualTo("bad_request");
            assertThat(noOp.get("id").asLong()).isEqualTo(1);
            client.send("{\"op\":\"teleport\",\"id\":2}");
            JsonNode unknownOp = client.next();
            assertThat(unknownOp.get("code").asText()).isEqualTo("unknown_op");
            assertThat(unknownOp.get("id").asLong()).isEqualTo(2);
            for (String bad : List.of("book.NOPE-USD", "book.BTC-USD.50", "book.BTC-USD@5ms", "kline.BTC-USD.2m",
                    "candles.BTC-USD")) {
                JsonNode error = client.subscribe(bad);
                assertThat(error.get("code").asText()).as(bad).isEqualTo("unknown_channel");
                assertThat(error.get("reason").asText()).contains(bad.startsWith("book.NOPE") ? "NOPE-USD" : "channel");
            }
            JsonNode empty = client.replyTo(client.request("subscribe", "\"ch\":[]"));
            assertThat(empty.get("code").asText()).isEqualTo("bad_request");
            JsonNode tooMany = client.subscribe("book.BTC-USD", "trades.BTC-USD", "book.ETH-USD", "trades.ETH-USD",
                    "ticker.ETH-USD");
            assertThat(tooMany.get("code").asText()).isEqualTo("too_many_subscriptions");
            JsonNode privateFirst = client.subscribe("orders");
            assertThat(privateFirst.get("code").asText()).isEqualTo("auth_unavailable");
            client.session().sendBinary(java.nio.ByteBuffer.wrap(new byte[] {1, 2}), org.eclipse.jetty.websocket.api.Callback.NOOP);
            assertThat(client.next().get("code").asText()).isEqualTo("bad_request");
            assertThat(client.replyTo(client.request("ping", "")).get("op").asText()).isEqualTo("pong");
            assertThat(client.session().isOpen()).isTrue();
        }
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + edge.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("marketstream_edge_requests_rejected_total{reason=\"unknown_channel\"} 5.0",
                "marketstream_edge_connections", "marketstream_edge_messages_sent_total", "marketstream_edge_sent_bytes_total",
                "marketstream_edge_event_to_send_seconds_count", "marketstream_edge_subscriptions{type=");
    }

    @Test
    void shouldCloseAMessageOverTheSizeLimitWith1009() throws Exception {
        try (WsTestClient client = connect()) {
            client.send("{\"op\":\"ping\",\"id\":1,\"pad\":\"" + "x".repeat(5000) + "\"}");
            assertThat(client.awaitClose()).isEqualTo(1009);
        }
    }

    @Test
    void shouldOfferPermessageDeflateOnlyWhenConfigured() throws Exception {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.addExtensions("permessage-deflate");
        try (WsTestClient client = new WsTestClient(fixture.ws, edge.port(), request)) {
            assertThat(client.session().getUpgradeResponse().getExtensions()).extracting(e -> e.getName())
                    .contains("permessage-deflate");
            client.subscribe("trades.BTC-USD");
        }
        edge.close();
        edge = new EdgeNode(EdgeConfig.defaults(0).toBuilder().host("127.0.0.1").permessageDeflate(false).build(), CATALOG,
                fixture.redis.uri()).start();
        ClientUpgradeRequest again = new ClientUpgradeRequest();
        again.addExtensions("permessage-deflate");
        try (WsTestClient client = new WsTestClient(fixture.ws, edge.port(), again)) {
            assertThat(client.session().getUpgradeResponse().getExtensions()).isEmpty();
            assertThat(client.subscribe("trades.BTC-USD").get("op").asText()).isEqualTo("ok");
        }
    }

    @Test
    void shouldDeliverPrivateChannelsOnlyToTheirAuthenticatedAccount() throws Exception {
        edge.close();
        String secret = "0123456789abcdef0123456789abcdef-test";
        edge = new EdgeNode(EdgeConfig.defaults(0).toBuilder().host("127.0.0.1").jwtSecret(secret).build(), CATALOG, fixture.redis.uri()).start();
        try (WsTestClient client = connect()) {
            assertThat(client.subscribe("orders").get("code").asText()).isEqualTo("auth_required");
            JsonNode badSignature = client.replyTo(client.request("auth", "\"token\":\""
                    + Tokens.sign("another-secret-another-secret-another", 42, 60) + "\""));
            assertThat(badSignature.get("code").asText()).isEqualTo("auth_failed");
            JsonNode expired = client.replyTo(client.request("auth", "\"token\":\"" + Tokens.sign(secret, 42, -5) + "\""));
            assertThat(expired.get("code").asText()).isEqualTo("auth_failed");
            assertThat(expired.get("reason").asText()).containsIgnoringCase("expired");
            JsonNode garbage = client.replyTo(client.request("auth", "\"token\":\"abc\""));
            assertThat(garbage.get("code").asText()).isEqualTo("auth_failed");

            JsonNode ok = client.replyTo(client.request("auth", "\"token\":\"" + Tokens.sign(secret, 42, 60) + "\""));
            assertThat(ok.get("op").asText()).isEqualTo("ok");
            assertThat(ok.get("acct").asLong()).isEqualTo(42);
            assertThat(client.subscribe("orders.7").get("code").asText()).isEqualTo("auth_required");
            JsonNode subscribed = client.subscribe("orders", "balances");
            assertThat(Json.write(subscribed.get("ch"))).contains("orders.42", "balances.42");
            await().until(() -> edge.hub().subscriber().channels().contains("orders.42"));

            fixture.publisher.publishAccount(new AccountMessage(0, "orders.7", "BTC-USD", 3,
                    new OrderRested("BTC-USD", 3, "x", 7, 9, 1, Side.BUY, "1.00", "1.0000")));
            fixture.publisher.publishAccount(new AccountMessage(0, "orders.42", "BTC-USD", 4,
                    new OrderRested("BTC-USD", 4, "mine", 42, 10, 2, Side.SELL, "2.00", "1.0000")));
            JsonNode mine = client.next();
            assertThat(mine.get("ch").asText()).isEqualTo("orders.42");
            assertThat(mine.get("seq").asLong()).isEqualTo(1);
            assertThat(mine.get("e").get("commandId").asText()).isEqualTo("mine");
            assertThat(client.poll(Duration.ofMillis(300))).as("nothing of account 7").isNull();
        }
    }
}
