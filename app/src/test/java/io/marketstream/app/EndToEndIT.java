package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.marketstream.client.BookListener;
import io.marketstream.client.MarketDataClient;
import io.marketstream.edge.EdgeConfig;
import io.marketstream.edge.EdgeNode;
import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.engine.EngineService;
import io.marketstream.engine.MatchingEngine;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * The whole slice on real parts: an embedded KRaft broker, a real redis-server, the engine, the
 * streams job and an edge node, with a real WebSocket client at the end.
 */
class EndToEndIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final String BTC = "BTC-USD";
    private static EmbeddedKafka kafka;
    private static EmbeddedRedis redis;
    private static Roles roles;
    private static EngineService engine;
    private static EdgeNode edge;

    @BeforeAll
    static void startEverything() {
        kafka = EmbeddedKafka.start();
        redis = EmbeddedRedis.start();
        roles = new Roles(kafka.bootstrapServers(), redis.uri(), CATALOG);
        engine = roles.engine();
        roles.streams();
        edge = roles.edge(EdgeConfig.defaults(0));
    }

    @AfterAll
    static void stopEverything() {
        roles.close();
        redis.close();
        kafka.close();
    }

    @Test
    void clientBookEqualsTheEnginesBookAndTheTradeArrives() throws Exception {
        List<TradeMessage> trades = new CopyOnWriteArrayList<>();
        MarketDataClient client = new MarketDataClient(CATALOG, new BookListener() {
            @Override
            public void onTrade(TradeMessage trade) {
                trades.add(trade);
            }
        }).connect(URI.create("ws://127.0.0.1:" + edge.port() + "/ws"), Duration.ofSeconds(10));
        client.subscribe(BTC);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.sequence(BTC) >= 0);

        List<OrderCommand> commands = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (long account = 1; account <= 3; account++) {
            commands.add(new Deposit("d" + account + "b", BTC, account, "BTC", "100", now));
            commands.add(new Deposit("d" + account + "q", BTC, account, "USD", "100000", now));
        }
        commands.add(new PlaceLimitOrder("e1", BTC, 1, "a1", Side.SELL, "101.00", "1.0000", now));
        commands.add(new PlaceLimitOrder("e2", BTC, 1, "a2", Side.SELL, "102.00", "2.0000", now));
        commands.add(new PlaceLimitOrder("e3", BTC, 2, "b1", Side.BUY, "99.00", "3.0000", now));
        commands.add(new PlaceLimitOrder("e4", BTC, 2, "b2", Side.BUY, "98.50", "1.5000", now));
        commands.add(new CancelOrder("e5", BTC, 2, 4, now));
        // crosses two ask levels: fills 1.0 at 101.00 and 1.5 at 102.00, nothing rests
        commands.add(new PlaceLimitOrder("e6", BTC, 3, "t1", Side.BUY, "102.00", "2.5000", now));
        commands.add(new PlaceLimitOrder("e7", BTC, 3, "bad", Side.BUY, "not-a-price", "1.0000", now));

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (OrderCommand command : commands) {
                producer.send(new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), BTC, Json.writeBytes(command))).get();
            }
            producer.send(new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), BTC,
                    "{this is not json".getBytes(StandardCharsets.UTF_8))).get();
        }

        MatchingEngine reference = new MatchingEngine(CATALOG);
        commands.forEach(c -> reference.process(c, c.ts()));
        long lastSeq = reference.lastSeq(BTC);

        // the last command changes no level, so the book is complete once the trades' sequence is reached
        await().atMost(Duration.ofSeconds(30)).until(() -> trades.size() == 2);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                client.levels(BTC, Side.BUY).equals(reference.levels(BTC, Side.BUY))
                        && client.levels(BTC, Side.SELL).equals(reference.levels(BTC, Side.SELL)));
        assertThat(client.levels(BTC, Side.SELL)).containsExactly(java.util.Map.entry(10200L, 5000L));
        assertThat(client.levels(BTC, Side.BUY)).containsExactly(java.util.Map.entry(9900L, 30000L));
        assertThat(client.resyncs()).isZero();
        assertThat(trades).extracting(TradeMessage::price).containsExactly("101.00", "102.00");
        assertThat(trades).extracting(TradeMessage::qty).containsExactly("1.0000", "1.5000");
        assertThat(trades).allSatisfy(t -> assertThat(t.takerSide()).isEqualTo(Side.BUY));
        assertThat(client.sequence(BTC)).isLessThanOrEqualTo(lastSeq);

        await().atMost(Duration.ofSeconds(30)).until(() -> engine.deadLettered() == 1);
        client.close();

        // a client arriving later gets the same book in its snapshot, and REST agrees
        MarketDataClient late = new MarketDataClient(CATALOG, new BookListener() { })
                .connect(URI.create("ws://127.0.0.1:" + edge.port() + "/ws"), Duration.ofSeconds(10));
        late.subscribe(BTC);
        await().atMost(Duration.ofSeconds(30)).until(() -> late.sequence(BTC) >= 0);
        assertThat(late.levels(BTC, Side.BUY)).isEqualTo(reference.levels(BTC, Side.BUY));
        assertThat(late.levels(BTC, Side.SELL)).isEqualTo(reference.levels(BTC, Side.SELL));
        late.close();

        HttpResponse<String> depth = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + edge.port() + "/api/v1/depth?market=BTC-USD&limit=5")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(depth.statusCode()).isEqualTo(200);
        assertThat(depth.body()).contains("[\"99.00\",\"3.0000\"]").contains("[\"102.00\",\"0.5000\"]");
        HttpResponse<String> bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + edge.port() + "/api/v1/depth?market=NOPE")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("unknown market");
    }
}
