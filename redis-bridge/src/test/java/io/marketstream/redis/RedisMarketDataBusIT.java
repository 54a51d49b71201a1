package io.marketstream.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.OrderRejected;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.RejectReason;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.TickerMessage;
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
    /** With a market of its own for tests that must not depend on the others' order. */
    private static final MarketCatalog WITH_SOL = new MarketCatalog(List.of(CATALOG.get("BTC-USD"), CATALOG.get("ETH-USD"),
            MarketSpec.builder("SOL-USD", 2, 4).build()));
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

    private static KlineMessage kline(long version, long openTime, String close, boolean closed) {
        return new KlineMessage("kline.ETH-USD.1m", version, 100 + version, KlineInterval.M1, openTime, openTime + 59_999,
                "10.00", close, "10.00", close, "1.0000", "10.000000", 1, version, version, closed, openTime);
    }

    /** The message as Redis stores and publishes it: numbered with the channel's own seq. */
    private static KlineMessage numbered(KlineMessage m, long seq) {
        return new KlineMessage(m.channel(), seq, m.engineSeq(), m.interval(), m.openTime(), m.closeTime(), m.open(),
                m.high(), m.low(), m.close(), m.baseVolume(), m.quoteVolume(), m.trades(), m.firstTradeId(),
                m.lastTradeId(), m.closed(), m.ts());
    }

    @Test
    void shouldKeepOneCandlePerOpenTimeATickerAndTheMarketsAndIgnoreReplays() {
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG)) {
            publisher.publishMarkets(CATALOG);
            TickerMessage ticker = new TickerMessage("ticker.ETH-USD", 1, 103, "10.00", "10.00", "10.00", "10.00",
                    "0.00", "0.00", "1.0000", "10.000000", 1, null, null, "10.01", "2.0000", 60_000);
            // the open candle's first state (version 1) is replaced by its closing state in the same call
            MarketPublication.Result result = publisher.publish(new MarketPublication("ETH-USD", null, false, null,
                    List.of(kline(1, 0, "10.00", false), kline(2, 0, "10.50", true), kline(3, 60_000, "10.50", false)),
                    ticker));
            assertThat(result.book()).isNull();
            assertThat(result.published()).isEqualTo(3);
            assertThat(publisher.publish(new MarketPublication("ETH-USD", null, false, null,
                    List.of(kline(2, 0, "99.00", true)), ticker)).published()).as("replays").isZero();

            assertThat(reader.klines("ETH-USD", KlineInterval.M1, 0, Long.MAX_VALUE, 10))
                    .containsExactly(numbered(kline(2, 0, "10.50", true), 1), numbered(kline(3, 60_000, "10.50", false), 2));
            assertThat(reader.klines("ETH-USD", KlineInterval.M1, 0, Long.MAX_VALUE, 1))
                    .containsExactly(numbered(kline(3, 60_000, "10.50", false), 2));
            assertThat(reader.klines("ETH-USD", KlineInterval.M1, 0, 59_999, 10))
                    .containsExactly(numbered(kline(2, 0, "10.50", true), 1));
            assertThat(reader.ticker("ETH-USD")).hasValue(ticker);
            assertThat(reader.state("ETH-USD").ticker()).hasValue(ticker);
            assertThat(reader.state("ETH-USD").candles().get(KlineInterval.M1)).as("all kept, oldest first")
                    .containsExactly(numbered(kline(2, 0, "10.50", true), 1), numbered(kline(3, 60_000, "10.50", false), 2));
            assertThat(reader.markets()).containsExactlyElementsOf(CATALOG.all());
            assertThat(reader.historyAfter("kline.ETH-USD.1m", 1)).get().asList().hasSize(1);

            // a writer that left versions 4 to 6 out (states a later one replaced): the channel has no gap
            assertThat(publisher.publish(new MarketPublication("ETH-USD", null, false, null,
                    List.of(kline(7, 60_000, "11.00", false)), null)).published()).isEqualTo(1);
            assertThat(reader.historyAfter("kline.ETH-USD.1m", 1)).get().asList()
                    .extracting(json -> Json.read((String) json, KlineMessage.class))
                    .containsExactly(numbered(kline(3, 60_000, "10.50", false), 2),
                            numbered(kline(7, 60_000, "11.00", false), 3));
        }
    }

    @Test
    void shouldKeepANamespacesStateAndMessagesApartFromTheLiveOnes() throws Exception {
        String namespace = io.marketstream.protocol.RedisKeys.replayNamespace("bus-test");
        L2Book book = new L2Book(WITH_SOL.get("SOL-USD"));
        book.set(Side.BUY, 2_000, 10_000);
        BookMessage delta = new BookMessage("book.SOL-USD", BookMessage.DELTA, 1, 1,
                List.of(new PriceLevel("20.00", "1.0000")), List.of(), book.checksum(), 7);
        TradeMessage trade = new TradeMessage("trades.SOL-USD", 2, 1, "20.00", "0.5000", Side.SELL, 8);
        try (RedisMarketDataPublisher replay = new RedisMarketDataPublisher(client, namespace);
             RedisMarketDataReader replayReader = new RedisMarketDataReader(client, WITH_SOL, namespace);
             RedisMarketDataReader liveReader = new RedisMarketDataReader(client, WITH_SOL);
             RedisMarketDataSubscriber live = new RedisMarketDataSubscriber(client);
             var raw = client.connectPubSub()) {
            List<String> onLive = new CopyOnWriteArrayList<>();
            List<String> onNamespace = new CopyOnWriteArrayList<>();
            live.subscribe("book.SOL-USD", (ch, payload) -> onLive.add(payload)).get(5, TimeUnit.SECONDS);
            raw.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    onNamespace.add(channel + " " + message);
                }
            });
            raw.sync().subscribe(namespace + "ms:pub:book.SOL-USD");

            assertThat(replay.publishBook(delta, false)).isEqualTo(Outcome.PUBLISHED);
            assertThat(replay.publishTrade(trade)).isTrue();

            assertThat(replayReader.book("SOL-USD", 10).bids()).containsExactly(new PriceLevel("20.00", "1.0000"));
            assertThat(replayReader.book("SOL-USD", 10).lastSeq()).isEqualTo(1);
            assertThat(replayReader.recentTrades("SOL-USD", 10)).containsExactly(trade);
            assertThat(replayReader.historyAfter("trades.SOL-USD", 1)).hasValue(List.of(Json.write(trade)));
            MarketState state = replayReader.state("SOL-USD");
            assertThat(state.book().lastSeq()).isEqualTo(1);
            assertThat(state.book().bids()).containsExactly(new PriceLevel("20.00", "1.0000"));
            assertThat(state.book().checksum()).isEqualTo(book.checksum());
            assertThat(state.tape()).containsExactly(trade);
            assertThat(state.ticker()).isEmpty();
            assertThat(state.candles()).containsOnlyKeys(KlineInterval.values()).allSatisfy((i, candles) -> assertThat(candles).isEmpty());
            assertThat(liveReader.state("SOL-USD").book().lastSeq()).isZero();
            assertThat(liveReader.book("SOL-USD", 10).lastSeq()).as("the live book is untouched").isZero();
            assertThat(liveReader.recentTrades("SOL-USD", 10)).isEmpty();
            try (var connection = client.connect()) {
                assertThat(connection.sync().keys("*SOL-USD*")).isNotEmpty().allSatisfy(key -> assertThat(key)
                        .startsWith("replay:bus-test:ms:{SOL-USD}:"));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> onNamespace.size() == 1);
            assertThat(onNamespace).containsExactly("replay:bus-test:ms:pub:book.SOL-USD " + Json.write(delta));
            Thread.sleep(200);
            assertThat(onLive).as("nothing on the live channel").isEmpty();
        }
    }

    @Test
    void shouldNumberTickersByRedisAndDropThoseNotNewerThanTheStoredVersion() throws Exception {
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, WITH_SOL);
             RedisMarketDataSubscriber subscriber = new RedisMarketDataSubscriber(client)) {
            List<String> received = new CopyOnWriteArrayList<>();
            subscriber.subscribe("ticker.SOL-USD", (ch, payload) -> received.add(payload)).get(5, TimeUnit.SECONDS);
            List<TickerMessage> versions = new ArrayList<>();
            for (long version = 10; version <= 15; version++) {
                versions.add(new TickerMessage("ticker.SOL-USD", version, 200 + version, "10.00", "10.00", "10.00",
                        "10.00", "0.00", "0.00", "1.0000", "10.000000", version, null, null, null, null, version));
            }
            // versions 10 and 11 in one call: only 11 is published; 13 alone; then 12 (older) is dropped
            assertThat(publisher.publishBatch(List.of(
                    new MarketPublication("SOL-USD", null, false, null, List.of(), versions.get(0)),
                    new MarketPublication("SOL-USD", null, false, null, List.of(), versions.get(1))), List.of()))
                    .containsEntry("SOL-USD", new MarketPublication.Result(null, 1));
            long before = reader.historyAfter("ticker.SOL-USD", 0).orElseThrow().size();
            assertThat(publisher.publish(new MarketPublication("SOL-USD", null, false, null, List.of(), versions.get(3)))
                    .published()).isEqualTo(1);
            assertThat(publisher.publish(new MarketPublication("SOL-USD", null, false, null, List.of(), versions.get(2)))
                    .published()).as("older than what is stored").isZero();

            List<TickerMessage> history = reader.historyAfter("ticker.SOL-USD", 0).orElseThrow().stream()
                    .map(json -> Json.read(json, TickerMessage.class)).toList();
            assertThat(history).hasSize((int) before + 1);
            for (int i = 0; i < history.size(); i++) {
                assertThat(history.get(i).seq()).as("numbered by Redis without gaps").isEqualTo(i + 1);
            }
            assertThat(history.get(history.size() - 1).engineSeq()).isEqualTo(213);
            assertThat(reader.ticker("SOL-USD")).get().extracting(TickerMessage::engineSeq).isEqualTo(213L);
            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
            assertThat(received).extracting(json -> Json.read(json, TickerMessage.class).engineSeq())
                    .containsExactly(211L, 213L);
        }
    }

    @Test
    void shouldMergeConsecutiveDeltasOfABatchIntoOneThatLeavesTheSameBook() throws Exception {
        MarketSpec sol = WITH_SOL.get("SOL-USD");
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, WITH_SOL);
             RedisMarketDataSubscriber subscriber = new RedisMarketDataSubscriber(client)) {
            List<String> received = new CopyOnWriteArrayList<>();
            subscriber.subscribe("book.SOL-USD", (ch, payload) -> received.add(payload)).get(5, TimeUnit.SECONDS);
            long start = reader.book("SOL-USD", 1).lastSeq();
            L2Book book = new L2Book(sol);
            BookMessage stored = reader.book("SOL-USD", Integer.MAX_VALUE);
            book.replace(stored.bids(), stored.asks());
            L2Book clientBook = new L2Book(sol);
            clientBook.replace(stored.bids(), stored.asks());
            List<MarketPublication> publications = new ArrayList<>();
            long seq = start;
            long[][] changes = {{0, 2_000, 1_000}, {1, 2_100, 500}, {0, 2_000, 3_000}, {0, 1_900, 700}, {0, 2_000, 0},
                    {1, 2_100, 0}};
            for (long[] change : changes) {
                Side side = change[0] == 0 ? Side.BUY : Side.SELL;
                book.set(side, change[1], change[2]);
                PriceLevel level = new PriceLevel(sol.formatPrice(change[1]), sol.formatQty(change[2]));
                seq++;
                publications.add(new MarketPublication("SOL-USD", new BookMessage("book.SOL-USD", BookMessage.DELTA,
                        seq, seq, side == Side.BUY ? List.of(level) : List.of(), side == Side.SELL ? List.of(level) : List.of(),
                        book.checksum(), seq), false, null, List.of(), null));
            }
            assertThat(publisher.publishBatchAsync(publications, List.of()).toCompletableFuture().join())
                    .containsEntry("SOL-USD", new MarketPublication.Result(Outcome.PUBLISHED, 1));

            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
            BookMessage merged = Json.read(received.get(0), BookMessage.class);
            assertThat(merged.firstSeq()).isEqualTo(start + 1);
            assertThat(merged.lastSeq()).isEqualTo(seq);
            clientBook.apply(merged.bids(), merged.asks());
            assertThat(clientBook.checksum()).isEqualTo(merged.checksum()).isEqualTo(book.checksum());
            assertThat(clientBook.copyOf(Side.BUY)).isEqualTo(book.copyOf(Side.BUY));
            assertThat(clientBook.copyOf(Side.SELL)).isEqualTo(book.copyOf(Side.SELL));
            BookMessage after = reader.book("SOL-USD", Integer.MAX_VALUE);
            assertThat(after.lastSeq()).isEqualTo(seq);
            assertThat(after.checksum()).isEqualTo(book.checksum());
            assertThat(reader.historyAfter("book.SOL-USD", start)).hasValue(List.of(received.get(0)));
        }
    }

    @Test
    void shouldApplyABatchAsItsUpdatesOneByOneAndIgnoreItsReplay() {
        MarketSpec eth = CATALOG.get("ETH-USD");
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG)) {
            L2Book book = new L2Book(eth);
            List<MarketPublication> publications = new ArrayList<>();
            List<AccountMessage> accounts = new ArrayList<>();
            for (int seq = 1; seq <= 6; seq++) {
                book.set(Side.BUY, 100_000 + seq, 10_000);
                PriceLevel level = new PriceLevel(eth.formatPrice(100_000 + seq), eth.formatQty(10_000));
                BookMessage delta = new BookMessage("book.ETH-USD", BookMessage.DELTA, seq, seq, List.of(level), List.of(),
                        book.checksum(), seq);
                TradeMessage trade = new TradeMessage("trades.ETH-USD", seq, seq, "1.00", "1.0000", Side.BUY, seq);
                publications.add(new MarketPublication("ETH-USD", delta, false, seq % 2 == 0 ? trade : null, List.of(), null));
                // another market and two accounts interleaved: each keeps its own order
                publications.add(new MarketPublication("BTC-USD", null, false,
                        new TradeMessage("trades.BTC-USD", 1_000_000 + seq, seq, "1.00", "1.0000", Side.SELL, seq), List.of(), null));
                OrderRested rested = new OrderRested("ETH-USD", seq, "c" + seq, seq, seq, 55, Side.BUY, "1.00", "1.0000");
                accounts.add(new AccountMessage(0, "orders.55", "ETH-USD", seq, rested));
                accounts.add(new AccountMessage(0, "orders.56", "ETH-USD", seq, rested));
            }
            Map<String, MarketPublication.Result> results = publisher.publishBatchAsync(publications, accounts)
                    .toCompletableFuture().join();
            // ETH's six consecutive deltas go out as one, and its three trades each as their own
            assertThat(results).containsExactly(Map.entry("ETH-USD", new MarketPublication.Result(Outcome.PUBLISHED, 4)),
                    Map.entry("BTC-USD", new MarketPublication.Result(null, 6)));

            BookMessage stored = reader.book("ETH-USD", 100);
            assertThat(stored.lastSeq()).isEqualTo(6);
            assertThat(stored.checksum()).isEqualTo(book.checksum());
            assertThat(reader.historyAfter("trades.ETH-USD", 2)).get().asList().hasSize(2);
            assertThat(reader.historyAfter("orders.55", 0)).get().asList().hasSize(6);
            assertThat(reader.historyAfter("orders.56", 3)).get().asList().hasSize(3);

            Map<String, MarketPublication.Result> replay = publisher.publishBatch(publications, accounts);
            assertThat(replay.values()).as("a replayed batch changes nothing")
                    .allMatch(r -> r.published() == 0 && (r.book() == null || r.book() == Outcome.STALE));
            assertThat(reader.historyAfter("orders.55", 0)).get().asList().hasSize(6);
        }
    }

    @Test
    void shouldNumberAccountMessagesAndDropReplayedEvents() throws Exception {
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG);
             RedisMarketDataSubscriber subscriber = new RedisMarketDataSubscriber(client)) {
            List<String> received = new CopyOnWriteArrayList<>();
            subscriber.subscribe("orders.77", (ch, payload) -> received.add(payload)).get(5, TimeUnit.SECONDS);
            OrderRested btc = new OrderRested("BTC-USD", 5, "c", 1, 1, 77, Side.BUY, "1.00", "1.0000");
            OrderRested eth = new OrderRested("ETH-USD", 3, "d", 1, 2, 77, Side.SELL, "2.00", "1.0000");
            OrderRejected rejected = new OrderRejected("NOPE-USD", 0, "e", 2, 77, "x", RejectReason.UNKNOWN_MARKET, "no");
            assertThat(publisher.publishAccount(new AccountMessage(0, "orders.77", "BTC-USD", 5, btc))).isEqualTo(1);
            assertThat(publisher.publishAccount(new AccountMessage(0, "orders.77", "ETH-USD", 3, eth))).isEqualTo(2);
            assertThat(publisher.publishAccount(new AccountMessage(0, "orders.77", "BTC-USD", 5, btc))).as("replay").isZero();
            assertThat(publisher.publishAccount(new AccountMessage(0, "orders.77", "NOPE-USD", 0, rejected))).isEqualTo(3);

            List<AccountMessage> expected = List.of(new AccountMessage(1, "orders.77", "BTC-USD", 5, btc),
                    new AccountMessage(2, "orders.77", "ETH-USD", 3, eth),
                    new AccountMessage(3, "orders.77", "NOPE-USD", 0, rejected));
            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 3);
            assertThat(received).extracting(json -> Json.read(json, AccountMessage.class)).containsExactlyElementsOf(expected);
            assertThat(reader.historyAfter("orders.77", 1)).get().asList()
                    .extracting(json -> Json.read((String) json, AccountMessage.class)).containsExactlyElementsOf(expected.subList(1, 3));
        }
    }

    @Test
    void shouldNumberAnAccountsMessagesInOneCallAndDropReplaysWithinAndAcrossCalls() {
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG)) {
            OrderRested btc5 = new OrderRested("BTC-USD", 5, "c", 1, 1, 88, Side.BUY, "1.00", "1.0000");
            OrderRested eth3 = new OrderRested("ETH-USD", 3, "d", 1, 2, 88, Side.SELL, "2.00", "1.0000");
            OrderRested btc6 = new OrderRested("BTC-USD", 6, "e", 1, 3, 88, Side.BUY, "1.00", "2.0000");
            io.marketstream.protocol.event.BalanceChanged balance = new io.marketstream.protocol.event.BalanceChanged(
                    "BTC-USD", 7, "e", 1, 88, "USD", "1.000000", "0.000000");
            List<AccountMessage> first = List.of(new AccountMessage(0, "orders.88", "BTC-USD", 5, btc5),
                    new AccountMessage(0, "orders.88", "ETH-USD", 3, eth3),
                    new AccountMessage(0, "orders.88", "BTC-USD", 5, btc5),
                    new AccountMessage(0, "balances.88", "BTC-USD", 7, balance),
                    new AccountMessage(0, "orders.88", "BTC-USD", 6, btc6));
            publisher.publishBatch(List.of(), first);
            assertThat(reader.historyAfter("orders.88", 0)).get().asList()
                    .extracting(json -> Json.read((String) json, AccountMessage.class))
                    .containsExactly(new AccountMessage(1, "orders.88", "BTC-USD", 5, btc5),
                            new AccountMessage(2, "orders.88", "ETH-USD", 3, eth3),
                            new AccountMessage(3, "orders.88", "BTC-USD", 6, btc6));
            assertThat(reader.historyAfter("balances.88", 0)).get().asList().hasSize(1);

            // the positions and counters written back at the end of the call hold for the next one
            OrderRested eth4 = new OrderRested("ETH-USD", 4, "f", 1, 4, 88, Side.SELL, "2.00", "2.0000");
            publisher.publishBatch(List.of(), List.of(new AccountMessage(0, "orders.88", "BTC-USD", 6, btc6),
                    new AccountMessage(0, "orders.88", "ETH-USD", 4, eth4)));
            assertThat(publisher.publishAccount(new AccountMessage(0, "orders.88", "ETH-USD", 3, eth3))).isZero();
            assertThat(reader.historyAfter("orders.88", 3)).get().asList()
                    .extracting(json -> Json.read((String) json, AccountMessage.class))
                    .containsExactly(new AccountMessage(4, "orders.88", "ETH-USD", 4, eth4));
        }
    }

    @Test
    void shouldLetASubscriberThatMissedMessagesRecoverExactlyThemFromHistory() throws Exception {
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
             RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG);
             RedisMarketDataSubscriber subscriber = new RedisMarketDataSubscriber(client)) {
            List<String> received = new CopyOnWriteArrayList<>();
            List<String> published = new ArrayList<>();
            RedisMarketDataSubscriber.Subscription subscription = subscriber
                    .subscribe("trades.BTC-USD", (ch, payload) -> received.add(payload)).get(5, TimeUnit.SECONDS);
            long seq = 1_000;
            for (int i = 0; i < 10; i++) {
                TradeMessage trade = new TradeMessage("trades.BTC-USD", seq += 3, i + 1, "100.00", "1.0000", Side.BUY, seq);
                publisher.publishTrade(trade);
                published.add(Json.write(trade));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 10);
            subscription.close(); // the subscriber goes away and misses what follows
            for (int i = 10; i < 25; i++) {
                TradeMessage trade = new TradeMessage("trades.BTC-USD", seq += 2, i + 1, "100.00", "1.0000", Side.SELL, seq);
                publisher.publishTrade(trade);
                published.add(Json.write(trade));
            }
            long lastSeen = Json.read(received.get(received.size() - 1), TradeMessage.class).seq();
            assertThat(reader.historyAfter("trades.BTC-USD", lastSeen)).hasValue(published.subList(10, 25));
            assertThat(reader.historyAfter("trades.BTC-USD", seq)).as("nothing missed").hasValue(List.of());
            assertThat(reader.historyAfter("trades.BTC-USD", seq + 5)).as("ahead of Redis: it lost data").isEmpty();
            assertThat(reader.historyAfter("trades.BTC-USD", 10)).as("from before the history").isEmpty();
        }
    }

    @Test
    void shouldResubscribeAfterARedisRestartAndTellListenersToRecover() throws Exception {
        try (RedisMarketDataSubscriber subscriber = new RedisMarketDataSubscriber(client)) {
            List<String> received = new CopyOnWriteArrayList<>();
            List<String> resubscribed = new CopyOnWriteArrayList<>();
            subscriber.subscribe("ticker.BTC-USD", new MarketDataListener() {
                @Override
                public void onMessage(String channel, String payload) {
                    received.add(payload);
                }

                @Override
                public void onResubscribed(String channel) {
                    resubscribed.add(channel);
                }
            }).get(5, TimeUnit.SECONDS);

            redis.restart();

            await().atMost(Duration.ofSeconds(30)).until(() -> resubscribed.contains("ticker.BTC-USD"));
            try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client)) {
                TickerMessage ticker = new TickerMessage("ticker.BTC-USD", 1, 1, "1.00", "1.00", "1.00", "1.00", "0.00",
                        "0.00", "1.0000", "1.000000", 1, null, null, null, null, 5);
                publisher.publish(new MarketPublication("BTC-USD", null, false, null, List.of(), ticker));
                await().atMost(Duration.ofSeconds(5)).until(() -> received.contains(Json.write(ticker)));
            }
            assertThat(subscriber.isConnected()).isTrue();
        }
    }
}
