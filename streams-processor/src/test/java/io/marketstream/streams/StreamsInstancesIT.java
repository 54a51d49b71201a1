package io.marketstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.redis.RedisMarketDataPublisher;
import io.marketstream.redis.RedisMarketDataReader;
import io.marketstream.redis.RedisMarketDataSubscriber;

/**
 * Two instances of the streams job split the markets' partitions between them, and when one stops
 * the other takes its partition over, restoring its state from the changelogs, so the books in Redis
 * continue without a gap or a replacing snapshot.
 */
class StreamsInstancesIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
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

    /** The Redis sink, noting which markets it published. */
    private static final class Instance implements MarketDataSink, AutoCloseable {
        final Set<String> markets = ConcurrentHashMap.newKeySet();
        final RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
        final RedisMarketDataSink sink = new RedisMarketDataSink(publisher);
        final StreamsService service;

        Instance() throws Exception {
            service = new StreamsService(CATALOG, this, kafka.bootstrapServers(), "streams-instances-it",
                    Files.createTempDirectory("streams-instance-"));
            service.start();
        }

        @Override
        public void publish(MarketUpdate update) {
            markets.add(update.market());
            sink.publish(update);
        }

        @Override
        public void account(AccountMessage message) {
            sink.account(message);
        }

        @Override
        public void flush() {
            sink.flush();
        }

        @Override
        public void markets(MarketCatalog catalog) {
            sink.markets(catalog);
        }

        @Override
        public void close() {
            service.close();
            publisher.close();
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

    private static boolean storedBookEquals(RedisMarketDataReader reader, EngineEventModel model) {
        BookMessage stored = reader.book(model.book().spec().symbol(), Integer.MAX_VALUE);
        L2Book fromRedis = new L2Book(model.book().spec());
        fromRedis.replace(stored.bids(), stored.asks());
        return fromRedis.copyOf(Side.BUY).equals(model.book().copyOf(Side.BUY))
                && fromRedis.copyOf(Side.SELL).equals(model.book().copyOf(Side.SELL));
    }

    @Test
    void twoInstancesSplitThePartitionsAndOneTakesOverWhenTheOtherStops() throws Exception {
        EngineEventModel btc = new EngineEventModel(CATALOG.get("BTC-USD"), 31, 1_700_000_000_000L, 100);
        EngineEventModel eth = new EngineEventModel(CATALOG.get("ETH-USD"), 37, 1_700_000_000_000L, 100);
        try (RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG);
             RedisMarketDataSubscriber subscriber = new RedisMarketDataSubscriber(client)) {
            List<BookMessage> published = new CopyOnWriteArrayList<>();
            for (String channel : List.of("book.BTC-USD", "book.ETH-USD")) {
                subscriber.subscribe(channel, (ch, payload) -> published.add(Json.read(payload, BookMessage.class)))
                        .get(5, TimeUnit.SECONDS);
            }
            Instance first = new Instance();
            Instance second = new Instance();
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> first.service.state() == KafkaStreams.State.RUNNING
                        && second.service.state() == KafkaStreams.State.RUNNING);
                produce(btc.next(800));
                produce(eth.next(800));
                await().atMost(Duration.ofSeconds(60)).until(() -> storedBookEquals(reader, btc)
                        && storedBookEquals(reader, eth));
                assertThat(first.markets).as("each instance has one market's partition").hasSize(1);
                assertThat(second.markets).hasSize(1).doesNotContainAnyElementsOf(first.markets);

                first.close();
                produce(btc.next(400));
                produce(eth.next(400));
                await().atMost(Duration.ofSeconds(90)).until(() -> storedBookEquals(reader, btc)
                        && storedBookEquals(reader, eth));
                assertThat(second.markets).as("took the stopped instance's partition over")
                        .containsExactlyInAnyOrder("BTC-USD", "ETH-USD");
            } finally {
                first.close();
                second.close();
            }
            for (String market : List.of("BTC-USD", "ETH-USD")) {
                List<BookMessage> book = published.stream().filter(m -> m.channel().equals("book." + market)).toList();
                assertThat(book).noneMatch(BookMessage::isSnapshot);
                long next = 1;
                for (BookMessage m : book) {
                    assertThat(m.firstSeq()).as(market + " continuity across the take-over").isEqualTo(next);
                    next = m.lastSeq() + 1;
                }
            }
        }
    }
}
