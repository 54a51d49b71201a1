package io.marketstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
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
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.redis.MarketDataListener;
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
    private static StreamsInfrastructure infrastructure;

    @BeforeAll
    static void start() throws Exception {
        infrastructure = StreamsInfrastructure.start();
        kafka = infrastructure.kafka();
        redis = infrastructure.redis();
        client = infrastructure.client();
    }

    @AfterAll
    static void stop() {
        infrastructure.close();
    }

    private static void produce(List<EngineEvent> events) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, EngineEvent> producer = new KafkaProducer<>(p,
                Topics.ENGINE_EVENTS.keySerde().serializer(), Topics.ENGINE_EVENTS.valueSerde().serializer())) {
            events.forEach(e -> producer.send(new ProducerRecord<>(Topics.ENGINE_EVENTS.name(), e.market(), e)));
        }
    }

    private static StreamsService startStreams(RedisMarketDataPublisher publisher, String applicationId)
            throws Exception {
        Path stateDir = Files.createTempDirectory("streams-it-");
        StreamsService service = new StreamsService(CATALOG, new RedisMarketDataSink(publisher),
                kafka.bootstrapServers(), applicationId, stateDir);
        service.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> service.state() == KafkaStreams.State.RUNNING);
        return service;
    }

    private static final long T0 = 1_700_000_000_000L;

    private static boolean storedBookEquals(RedisMarketDataReader reader, EngineEventModel model) {
        String market = model.book().spec().symbol();
        BookMessage stored = reader.book(market, Integer.MAX_VALUE);
        L2Book fromRedis = new L2Book(model.book().spec());
        fromRedis.replace(stored.bids(), stored.asks());
        return fromRedis.copyOf(Side.BUY).equals(model.book().copyOf(Side.BUY))
                && fromRedis.copyOf(Side.SELL).equals(model.book().copyOf(Side.SELL))
                && stored.checksum() == model.book().checksum();
    }

    @Test
    void redisRestartMidStreamLeavesSubscribersResubscribedAndTheStoredBookCorrect() throws Exception {
        MarketSpec eth = CATALOG.get("ETH-USD");
        EngineEventModel model = new EngineEventModel(eth, 23, T0, 200);
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG);
             RedisMarketDataSubscriber subscriber = new RedisMarketDataSubscriber(client)) {
            List<BookMessage> received = new CopyOnWriteArrayList<>();
            List<String> resubscribed = new CopyOnWriteArrayList<>();
            subscriber.subscribe("book.ETH-USD", new MarketDataListener() {
                @Override
                public void onMessage(String channel, String payload) {
                    received.add(Json.read(payload, BookMessage.class));
                }

                @Override
                public void onResubscribed(String channel) {
                    resubscribed.add(channel);
                }
            }).get(5, TimeUnit.SECONDS);
            StreamsService streams = startStreams(publisher, "streams-redis-restart-it");
            try {
                produce(model.next(1_000));
                await().atMost(Duration.ofSeconds(60)).until(() -> storedBookEquals(reader, model));

                redis.restart(); // empty: persistence is off, as after losing Redis's data
                produce(model.next(1_000));

                await().atMost(Duration.ofSeconds(30)).until(() -> resubscribed.contains("book.ETH-USD"));
                await().atMost(Duration.ofSeconds(60)).until(() -> storedBookEquals(reader, model));
                // a subscriber that resubscribed sees the replacing snapshot, then deltas following it
                await().atMost(Duration.ofSeconds(10)).until(() -> received.stream().anyMatch(BookMessage::isSnapshot));
                List<BookMessage> afterSnapshot = received.subList(
                        received.indexOf(received.stream().filter(BookMessage::isSnapshot).findFirst().orElseThrow()),
                        received.size());
                L2Book client = new L2Book(eth);
                long next = 0;
                for (BookMessage m : afterSnapshot) {
                    if (m.isSnapshot()) {
                        client.replace(m.bids(), m.asks());
                    } else {
                        assertThat(m.firstSeq()).isEqualTo(next);
                        client.apply(m.bids(), m.asks());
                    }
                    assertThat(client.checksum()).isEqualTo(m.checksum());
                    next = m.lastSeq() + 1;
                }
                assertThat(client.copyOf(Side.BUY)).isEqualTo(model.book().copyOf(Side.BUY));
                assertThat(client.copyOf(Side.SELL)).isEqualTo(model.book().copyOf(Side.SELL));
            } finally {
                streams.close();
            }
        }
    }

    @Test
    void storedBookFollowsTheEventsAcrossARestartAndIgnoresReplays() throws Exception {
        EngineEventModel model = new EngineEventModel(BTC, 5, T0, 1_000);
        List<EngineEvent> first = model.next(1_500);
        List<EngineEvent> second = model.next(1_500);

        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG);
             RedisMarketDataSubscriber subscriber = new RedisMarketDataSubscriber(client)) {
            List<BookMessage> published = new CopyOnWriteArrayList<>();
            subscriber.subscribe("book.BTC-USD", (ch, payload) -> published.add(Json.read(payload, BookMessage.class)))
                    .get(5, TimeUnit.SECONDS);
            List<KlineMessage> candles1m = new CopyOnWriteArrayList<>();
            subscriber.subscribe("kline.BTC-USD.1m", (ch, payload) -> candles1m.add(Json.read(payload, KlineMessage.class)))
                    .get(5, TimeUnit.SECONDS);
            List<TickerMessage> tickers = new CopyOnWriteArrayList<>();
            subscriber.subscribe("ticker.BTC-USD", (ch, payload) -> tickers.add(Json.read(payload, TickerMessage.class)))
                    .get(5, TimeUnit.SECONDS);

            StreamsService streams = startStreams(publisher, "streams-it");
            produce(first);
            long afterFirst = first.get(first.size() - 1).seq();
            await().atMost(Duration.ofSeconds(60)).until(() -> reader.book("BTC-USD", 1).lastSeq() >= afterFirst - 5);
            streams.close();

            // a new instance with an empty state directory restores the books from the changelogs
            StreamsService restarted = startStreams(publisher, "streams-it");
            produce(second);
            long last = model.seq();
            await().atMost(Duration.ofSeconds(60)).until(() -> storedBookEquals(reader, model)
                    && reader.book("BTC-USD", 1).lastSeq() <= last);
            // the other streams reached Redis too: the ticker shows the book's best levels, candles
            // cover the events' 50 minutes, the tape holds the latest trades
            // every change of the top emits a ticker, so the stored one reaches the final top (waiting only for a
            // ticker near the end, then comparing, raced with the last top changes still on their way)
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                TickerMessage ticker = reader.ticker("BTC-USD").orElseThrow();
                assertThat(ticker.engineSeq()).isBetween(last - 30, last);
                assertThat(ticker.bid()).isEqualTo(BTC.formatPrice(model.book().best(Side.BUY).getKey()));
                assertThat(ticker.ask()).isEqualTo(BTC.formatPrice(model.book().best(Side.SELL).getKey()));
            });
            List<KlineMessage> candles = reader.klines("BTC-USD", KlineInterval.M1, 0, Long.MAX_VALUE, 1_000);
            assertThat(candles).hasSizeGreaterThanOrEqualTo(45);
            for (int i = 1; i < candles.size(); i++) {
                assertThat(candles.get(i).openTime()).as("no gaps").isEqualTo(candles.get(i - 1).openTime() + 60_000);
            }
            assertThat(reader.recentTrades("BTC-USD", 5)).hasSize(5);

            // the engine re-sending old events changes nothing and publishes nothing
            int before = published.size();
            produce(first.subList(0, 200));
            List<EngineEvent> third = new ArrayList<>();
            EngineEvent next = model.next();
            while (!(next instanceof io.marketstream.protocol.event.OrderRested)) {
                third.add(next);
                produce(List.of(next));
                next = model.next();
            }
            third.add(next);
            produce(List.of(next));
            long newest = model.seq();
            await().atMost(Duration.ofSeconds(60)).until(() -> reader.book("BTC-USD", 1).lastSeq() == newest
                    || published.stream().anyMatch(m -> m.lastSeq() == newest));
            restarted.close();

            assertThat(published.subList(before, published.size())).allSatisfy(m -> assertThat(m.lastSeq()).isGreaterThan(last));
            long expectedFirst = 1;
            for (BookMessage m : published) {
                assertThat(m.firstSeq()).as("continuity of published deltas").isEqualTo(expectedFirst);
                expectedFirst = m.lastSeq() + 1;
            }

            // candles and tickers, coalesced by the sink and numbered by Redis: each channel's messages
            // 1, 2, 3... (nothing twice, no gap) and the stored candles and ticker are those of the
            // events folded once, without restart or replay, message by message
            for (int i = 0; i < candles1m.size(); i++) {
                assertThat(candles1m.get(i).seq()).as("kline channel seq").isEqualTo(i + 1);
            }
            for (int i = 0; i < tickers.size(); i++) {
                assertThat(tickers.get(i).seq()).as("ticker channel seq").isEqualTo(i + 1);
            }
            try (TopologyHarness once = new TopologyHarness(CATALOG)) {
                first.forEach(once::pipe);
                second.forEach(once::pipe);
                third.forEach(once::pipe);
                java.util.Map<Long, KlineMessage> expected = new java.util.TreeMap<>();
                once.klines().stream().filter(k -> k.interval() == KlineInterval.M1)
                        .forEach(k -> expected.put(k.openTime(), withoutSeq(k)));
                assertThat(reader.klines("BTC-USD", KlineInterval.M1, 0, Long.MAX_VALUE, 1_000))
                        .extracting(StreamsToRedisIT::withoutSeq).containsExactlyElementsOf(expected.values());
                TickerMessage lastTicker = once.tickers().get(once.tickers().size() - 1);
                assertThat(reader.ticker("BTC-USD")).get().extracting(StreamsToRedisIT::withoutSeq)
                        .isEqualTo(withoutSeq(lastTicker));
            }
        }
    }

    private static KlineMessage withoutSeq(KlineMessage m) {
        return new KlineMessage(m.channel(), 0, m.engineSeq(), m.interval(), m.openTime(), m.closeTime(), m.open(),
                m.high(), m.low(), m.close(), m.baseVolume(), m.quoteVolume(), m.trades(), m.firstTradeId(),
                m.lastTradeId(), m.closed(), m.ts());
    }

    private static TickerMessage withoutSeq(TickerMessage m) {
        return new TickerMessage(m.channel(), 0, m.engineSeq(), m.last(), m.open(), m.high(), m.low(), m.change(),
                m.changePercent(), m.baseVolume(), m.quoteVolume(), m.trades(), m.bid(), m.bidQty(), m.ask(),
                m.askQty(), m.ts());
    }
}
