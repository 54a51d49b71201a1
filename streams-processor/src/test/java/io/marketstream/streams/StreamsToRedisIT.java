package io.marketstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.CancelReason;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderAccepted;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.OrderType;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.redis.RedisMarketDataPublisher;
import io.marketstream.redis.RedisMarketDataReader;
import io.marketstream.redis.RedisMarketDataSubscriber;

/**
 * The streams job on a real broker writing into a real Redis: the stored book follows the events,
 * survives a restart that must restore the stores from their changelogs, and ignores replays.
 */
class StreamsToRedisIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final MarketSpec BTC = CATALOG.get("BTC-USD");
    private static EmbeddedKafka kafka;
    private static EmbeddedRedis redis;
    private static RedisClient client;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        redis = EmbeddedRedis.start();
        client = RedisClient.create(redis.uri());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(Topics.ENGINE_EVENTS.name(), 2, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stop() {
        client.shutdown();
        redis.close();
        kafka.close();
    }

    /** A stream of well-formed engine events for one market, and the L2 book they describe. */
    private static final class EventModel {
        final Random random = new Random(5);
        final List<long[]> resting = new ArrayList<>(); // orderId, side (0 buy, 1 sell), price, qty
        final L2Book book = new L2Book(BTC);
        long seq;
        long orderId;
        long tradeId;

        EngineEvent next() {
            int roll = random.nextInt(100);
            long ts = 1_000 + seq;
            if (roll < 10) {
                return new OrderAccepted("BTC-USD", ++seq, "c" + seq, ts, ++orderId, 1, "x", OrderType.LIMIT,
                        Side.BUY, "1.00", "1.0000", null, null, false);
            }
            if (roll < 60 || resting.isEmpty()) {
                boolean buy = random.nextBoolean();
                long price = buy ? 9_000 + random.nextInt(900) : 10_100 + random.nextInt(900);
                long qty = 100 * (1 + random.nextInt(20));
                resting.add(new long[] {++orderId, buy ? 0 : 1, price, qty});
                book.add(buy ? Side.BUY : Side.SELL, price, qty);
                return new OrderRested("BTC-USD", ++seq, "c" + seq, ts, orderId, 1, buy ? Side.BUY : Side.SELL,
                        BTC.formatPrice(price), BTC.formatQty(qty));
            }
            long[] order = resting.get(random.nextInt(resting.size()));
            Side side = order[1] == 0 ? Side.BUY : Side.SELL;
            if (roll < 85) {
                resting.remove(order);
                book.add(side, order[2], -order[3]);
                return new OrderCancelled("BTC-USD", ++seq, "c" + seq, ts, order[0], 1, side,
                        BTC.formatPrice(order[2]), BTC.formatQty(order[3]), true, CancelReason.USER);
            }
            long qty = Math.min(order[3], 100 * (1 + random.nextInt(10)));
            order[3] -= qty;
            if (order[3] == 0) {
                resting.remove(order);
            }
            book.add(side, order[2], -qty);
            return new Trade("BTC-USD", ++seq, "c" + seq, ts, ++tradeId, BTC.formatPrice(order[2]), BTC.formatQty(qty),
                    BTC.formatQuote(BTC.notional(order[2], qty)), side.opposite(), order[0], 999, 1, 2,
                    "0", "BTC", "0", "USD");
        }
    }

    private static void produce(List<EngineEvent> events) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, EngineEvent> producer = new KafkaProducer<>(p,
                Topics.ENGINE_EVENTS.keySerde().serializer(), Topics.ENGINE_EVENTS.valueSerde().serializer())) {
            events.forEach(e -> producer.send(new ProducerRecord<>(Topics.ENGINE_EVENTS.name(), e.market(), e)));
        }
    }

    private static StreamsService startStreams(RedisMarketDataPublisher publisher) throws Exception {
        Path stateDir = Files.createTempDirectory("streams-it-");
        StreamsService service = new StreamsService(CATALOG, new RedisMarketDataSink(publisher),
                kafka.bootstrapServers(), "streams-it", stateDir);
        service.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> service.state() == KafkaStreams.State.RUNNING);
        return service;
    }

    @Test
    void storedBookFollowsTheEventsAcrossARestartAndIgnoresReplays() throws Exception {
        EventModel model = new EventModel();
        List<EngineEvent> first = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            first.add(model.next());
        }
        List<EngineEvent> second = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            second.add(model.next());
        }

        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG);
             RedisMarketDataSubscriber subscriber = new RedisMarketDataSubscriber(client)) {
            List<BookMessage> published = new CopyOnWriteArrayList<>();
            subscriber.subscribe("book.BTC-USD", (ch, payload) -> published.add(Json.read(payload, BookMessage.class)))
                    .get(5, TimeUnit.SECONDS);

            StreamsService streams = startStreams(publisher);
            produce(first);
            long afterFirst = first.get(first.size() - 1).seq();
            await().atMost(Duration.ofSeconds(60)).until(() -> reader.book("BTC-USD", 1).lastSeq() >= afterFirst - 5);
            streams.close();

            // a new instance with an empty state directory restores the books from the changelogs
            StreamsService restarted = startStreams(publisher);
            produce(second);
            long last = model.seq;
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                BookMessage stored = reader.book("BTC-USD", Integer.MAX_VALUE);
                L2Book fromRedis = new L2Book(BTC);
                fromRedis.replace(stored.bids(), stored.asks());
                return fromRedis.copyOf(Side.BUY).equals(model.book.copyOf(Side.BUY))
                        && fromRedis.copyOf(Side.SELL).equals(model.book.copyOf(Side.SELL))
                        && stored.lastSeq() <= last;
            });

            // the engine re-sending old events changes nothing and publishes nothing
            int before = published.size();
            produce(first.subList(0, 200));
            produce(List.of(model.next()));
            long newest = model.seq;
            await().atMost(Duration.ofSeconds(60)).until(() -> reader.book("BTC-USD", 1).lastSeq() == newest
                    || published.stream().anyMatch(m -> m.lastSeq() == newest));
            restarted.close();

            assertThat(published.subList(before, published.size())).allSatisfy(m -> assertThat(m.lastSeq()).isGreaterThan(last));
            long expectedFirst = 1;
            for (BookMessage m : published) {
                assertThat(m.firstSeq()).as("continuity of published deltas").isEqualTo(expectedFirst);
                expectedFirst = m.lastSeq() + 1;
            }
        }
    }
}
