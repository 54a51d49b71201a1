package io.marketstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.redis.RedisClients;
import io.marketstream.redis.RedisMarketDataPublisher;
import io.marketstream.redis.RedisMarketDataReader;

/**
 * The sink on a real {@code redis-server}, fed by the job's own fold: updates sent by the caller when
 * nothing is in flight and those chained from Redis's answers (on Lettuce's thread) reach Redis
 * complete and in order, and a batch that fails asynchronously (the script cache emptied under it) is
 * sent again by the caller's next call, with what queued behind it, nothing lost and nothing out of order.
 */
class RedisMarketDataSinkIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final MarketSpec BTC = CATALOG.get("BTC-USD");
    private static final long T0 = 1_700_000_000_000L;
    private static EmbeddedRedis redis;
    private static RedisClient client;

    @BeforeAll
    static void start() {
        redis = EmbeddedRedis.start();
        client = RedisClients.create(redis.uri());
    }

    @AfterAll
    static void stop() {
        client.shutdown();
        redis.close();
    }

    @Test
    void everyUpdateReachesRedisInOrderAndAFailedBatchIsSentAgainByTheNextCall() {
        String namespace = "sink-it";
        EngineEventModel model = new EngineEventModel(BTC, 11, T0, 1_000);
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client, namespace);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG, namespace);
             StatefulRedisConnection<String, String> admin = client.connect()) {
            RedisMarketDataSink sink = new RedisMarketDataSink(publisher);
            List<AccountMessage> handedOver = new ArrayList<>();
            MarketDataFold fold = new MarketDataFold(CATALOG, new RecordingSink(sink, handedOver));

            // fed without pause: the first update goes out from this thread, the rest queue behind it and
            // are sent from the answers, in batches
            for (EngineEvent event : model.next(3_000)) {
                fold.fold(event);
            }
            sink.flush();
            assertStoredAsFolded(reader, model, handedOver);

            // the script cache emptied: the next batch fails (NOSCRIPT) asynchronously and is held with what
            // queues behind it, until a call of the stream thread sends it again, loading the scripts
            admin.sync().scriptFlush();
            for (EngineEvent event : model.next(1_000)) {
                fold.fold(event);
            }
            sink.flush();
            assertStoredAsFolded(reader, model, handedOver);
            sink.close();
        }
    }

    /** Redis holds the folded book, and every channel's history runs without gap to its last message. */
    private static void assertStoredAsFolded(RedisMarketDataReader reader, EngineEventModel model,
                                             List<AccountMessage> handedOver) {
        BookMessage stored = reader.book("BTC-USD", Integer.MAX_VALUE);
        assertThat(stored.lastSeq()).isEqualTo(model.seq());
        L2Book fromRedis = new L2Book(BTC);
        fromRedis.replace(stored.bids(), stored.asks());
        assertThat(fromRedis.copyOf(Side.BUY)).isEqualTo(model.book().copyOf(Side.BUY));
        assertThat(fromRedis.copyOf(Side.SELL)).isEqualTo(model.book().copyOf(Side.SELL));
        assertThat(stored.checksum()).isEqualTo(model.book().checksum());

        // the book's deltas: U = previous u + 1 from the first event to the last
        List<String> deltas = reader.historyAfter(Channels.book("BTC-USD"), 0).orElseThrow();
        long expectedFirst = 1;
        for (String payload : deltas) {
            BookMessage delta = Json.read(payload, BookMessage.class);
            assertThat(delta.firstSeq()).as("continuity of stored deltas").isEqualTo(expectedFirst);
            expectedFirst = delta.lastSeq() + 1;
        }
        assertThat(expectedFirst - 1).isEqualTo(model.seq());

        // each private channel: every message handed over, once, in the order handed over
        assertThat(handedOver).isNotEmpty();
        handedOver.stream().map(AccountMessage::channel).distinct().forEach(channel -> {
            List<Long> sent = handedOver.stream().filter(m -> m.channel().equals(channel))
                    .map(AccountMessage::engineSeq).toList();
            Optional<List<String>> history = reader.historyAfter(channel, 0);
            List<AccountMessage> storedMessages = history.orElseThrow().stream()
                    .map(p -> Json.read(p, AccountMessage.class)).toList();
            assertThat(storedMessages).extracting(AccountMessage::seq).as(channel)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, sent.size()).boxed().toList());
            assertThat(storedMessages).extracting(AccountMessage::engineSeq).as(channel).containsExactlyElementsOf(sent);
        });
    }

    /** Passes the fold's output on to the sink, noting the private messages handed over (the test flushes the sink itself). */
    private record RecordingSink(RedisMarketDataSink sink, List<AccountMessage> accounts) implements MarketDataSink {
        @Override
        public void publish(MarketUpdate update) {
            sink.publish(update);
        }

        @Override
        public void account(AccountMessage message) {
            accounts.add(message);
            sink.account(message);
        }
    }
}
