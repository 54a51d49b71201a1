package io.marketstream.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.redis.RedisMarketDataPublisher.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisMarketDataBusIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final MarketSpec BTC = CATALOG.get("BTC-USD");
    private static EmbeddedRedis redis;
    private static RedisClient client;

    @BeforeAll
    static void start() {
        redis = EmbeddedRedis.start();
        client = RedisClient.create(redis.uri());
    }

    @AfterAll
    static void stop() {
        client.shutdown();
        redis.close();
    }

    private static BookMessage delta(L2Book book, long first, long last, Side side, long price, long qty) {
        book.set(side, price, qty);
        PriceLevel level = new PriceLevel(BTC.formatPrice(price), BTC.formatQty(qty));
        return new BookMessage("book.BTC-USD", BookMessage.DELTA, first, last,
                side == Side.BUY ? List.of(level) : List.of(), side == Side.SELL ? List.of(level) : List.of(),
                book.checksum(), 1_000 + last);
    }

    @Test
    void shouldStoreSnapshotPublishDeltasAndIgnoreReplays() throws Exception {
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG);
             RedisMarketDataSubscriber subscriber = new RedisMarketDataSubscriber(client)) {
            List<String> received = new CopyOnWriteArrayList<>();
            subscriber.subscribe("book.BTC-USD", (ch, payload) -> received.add(payload)).get(5, TimeUnit.SECONDS);

            L2Book book = new L2Book(BTC);
            BookMessage d1 = delta(book, 1, 2, Side.BUY, 10000, 5000);
            BookMessage d2 = delta(book, 3, 3, Side.SELL, 10100, 7000);
            BookMessage d3 = delta(book, 4, 6, Side.BUY, 10000, 0);
            assertThat(publisher.publishBook(d1, false)).isEqualTo(Outcome.PUBLISHED);
            assertThat(publisher.publishBook(d2, false)).isEqualTo(Outcome.PUBLISHED);
            assertThat(publisher.publishBook(d3, false)).isEqualTo(Outcome.PUBLISHED);
            assertThat(publisher.publishBook(d2, false)).as("replay").isEqualTo(Outcome.STALE);

            BookMessage snapshot = reader.book("BTC-USD", 100);
            assertThat(snapshot.lastSeq()).isEqualTo(6);
            assertThat(snapshot.bids()).isEmpty();
            assertThat(snapshot.asks()).containsExactly(new PriceLevel("101.00", "0.7000"));
            assertThat(snapshot.checksum()).isEqualTo(book.checksum()).isEqualTo(d3.checksum());

            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 3);
            assertThat(received).containsExactly(Json.write(d1), Json.write(d2), Json.write(d3));

            assertThat(reader.historyAfter("BTC-USD", "book.BTC-USD", 3)).hasValue(List.of(Json.write(d3)));
            assertThat(reader.historyAfter("BTC-USD", "book.BTC-USD", 0)).get().asList().hasSize(3);
        }
    }

    @Test
    void shouldReportAGapWhenTheStoredBookIsNotTheOneTheDeltaFollows() {
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG)) {
            L2Book book = new L2Book(BTC);
            BookMessage ahead = new BookMessage("book.ETH-USD", BookMessage.DELTA, 50, 50,
                    List.of(new PriceLevel("10.00", "1.0000")), List.of(), 0, 0);
            assertThat(publisher.publishBook(ahead, false)).isEqualTo(Outcome.GAP);
            BookMessage full = new BookMessage("book.ETH-USD", BookMessage.SNAPSHOT, 50, 50,
                    List.of(new PriceLevel("10.00", "1.0000")), List.of(), 0, 0);
            assertThat(publisher.publishBook(full, true)).isEqualTo(Outcome.PUBLISHED);
            assertThat(reader.book("ETH-USD", 10).bids()).containsExactly(new PriceLevel("10.00", "1.0000"));
            assertThat(reader.book("ETH-USD", 10).lastSeq()).isEqualTo(50);
            assertThat(book.depth(Side.BUY)).isZero();
        }
    }

    @Test
    void shouldKeepATradeTapeAndIgnoreReplayedTrades() {
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG)) {
            TradeMessage t1 = new TradeMessage("trades.ETH-USD", 100, 1, "10.00", "1.0000", Side.BUY, 5);
            TradeMessage t2 = new TradeMessage("trades.ETH-USD", 104, 2, "10.01", "0.5000", Side.SELL, 6);
            assertThat(publisher.publishTrade(t1)).isTrue();
            assertThat(publisher.publishTrade(t2)).isTrue();
            assertThat(publisher.publishTrade(t1)).isFalse();
            assertThat(reader.recentTrades("ETH-USD", 10)).containsExactly(t2, t1);
        }
    }
}
