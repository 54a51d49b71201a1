package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.lettuce.core.RedisClient;
import picocli.CommandLine;

import io.marketstream.client.EdgeError;
import io.marketstream.client.MarketDataClient;
import io.marketstream.client.MarketDataListener;
import io.marketstream.client.OrderBookView;
import io.marketstream.edge.EdgeConfig;
import io.marketstream.edge.EdgeNode;
import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.engine.MatchingEngine;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.RedisKeys;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.event.BalanceChanged;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.GapMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.protocol.ws.WsErrors;
import io.marketstream.redis.RedisClients;
import io.marketstream.redis.RedisMarketDataReader;

/**
 * The client library against the real stack (embedded KRaft broker, redis-server, engine, streams job, edge
 * nodes): its book equals the engine's after load, it resumes after a dropped connection, a stopped node and a
 * drain without a resync, it resyncs by itself when a message fails its checks, and {@code watch} shows the
 * book. Every expected book comes from a reference {@link MatchingEngine} fed the same commands.
 */
class ClientIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final String BTC = "BTC-USD";
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final String SECRET = "client-it-secret-client-it-secret-0123";
    /** The account whose private channels are watched; only this test's commands touch it. */
    private static final long WATCHED = 5;

    private static EmbeddedKafka kafka;
    private static EmbeddedRedis redis;
    private static Roles roles;
    private static EdgeNode edge;
    private static EdgeNode secretEdge;
    private static KafkaProducer<String, byte[]> producer;
    private static RedisClient redisClient;

    private static final MatchingEngine reference = new MatchingEngine(CATALOG);
    private static final List<Trade> referenceTrades = new ArrayList<>();
    private static final List<EngineEvent> watchedOrderEvents = new ArrayList<>();
    private static final List<EngineEvent> watchedBalanceEvents = new ArrayList<>();
    private static final Random random = new Random(20240611);
    private static long commandNo;

    @BeforeAll
    static void startEverything() throws Exception {
        kafka = EmbeddedKafka.start();
        redis = EmbeddedRedis.start();
        roles = new Roles(kafka.bootstrapServers(), redis.uri(), CATALOG);
        roles.engine();
        roles.streams();
        edge = roles.edge(EdgeConfig.defaults(0).toBuilder().host("127.0.0.1").build());
        secretEdge = roles.edge(EdgeConfig.defaults(0).toBuilder().host("127.0.0.1").jwtSecret(SECRET).build());
        redisClient = RedisClients.create(redis.uri());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        List<OrderCommand> deposits = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (long account = 1; account <= 4; account++) {
            deposits.add(new Deposit("dep-b-" + account, BTC, account, "BTC", "10000", now));
            deposits.add(new Deposit("dep-q-" + account, BTC, account, "USD", "10000000", now));
        }
        send(deposits);
    }

    @AfterAll
    static void stopEverything() {
        if (producer != null) {
            producer.close();
        }
        if (redisClient != null) {
            redisClient.shutdown();
        }
        if (roles != null) {
            roles.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    // ------------------------------------------------------------------ the tests

    @Test
    void bookEqualsTheEnginesAfterLoadWithEveryMessageVerifiedAndAllOtherChannelsDelivered() {
        Recorder recorder = new Recorder();
        try (MarketDataClient client = MarketDataClient.builder(CATALOG).endpoint(uri(edge)).listener(recorder).build()) {
            client.subscribeBook(BTC).subscribeTrades(BTC).subscribeTicker(BTC).subscribeKlines(BTC, KlineInterval.M1);
            client.start();
            awaitVerified(client);

            send(randomOrders(1200));
            awaitSameBook(client);
            awaitAllTrades(recorder);

            assertThat(client.failedChecks()).isZero();
            assertThat(client.resyncs()).isZero();
            assertThat(client.gaps()).isZero();
            assertThat(client.snapshots()).isEqualTo(1);
            // the streams job merges a batch's changes into one delta, so there are fewer messages than commands
            assertThat(client.verifiedMessages()).isGreaterThan(1);
            assertConsecutiveTrades(recorder);
            await().atMost(SETTLE).untilAsserted(() -> assertThat(recorder.tickers).last()
                    .extracting(TickerMessage::last).isEqualTo(lastTrade().price()));
            assertThat(recorder.klines).isNotEmpty().allSatisfy(k -> assertThat(k.channel()).isEqualTo("kline.BTC-USD.1m"));

            // the read view is one consistent moment: best levels are the first levels, the book is not crossed
            OrderBookView view = client.book(BTC, 5);
            assertThat(view.bids()).hasSizeLessThanOrEqualTo(5).isNotEmpty();
            assertThat(view.bestBid().orElseThrow().price()).isEqualTo(expected(Side.BUY).firstKey());
            assertThat(view.bestAsk().orElseThrow().price()).isEqualTo(expected(Side.SELL).firstKey());
            assertThat(view.spread().orElseThrow()).isPositive();
            assertThat(view.sequence()).isEqualTo(client.sequence(BTC));
        }
    }

    @Test
    void resumesOnTheNextNodeWhenItsNodeStopsWithoutAResync() {
        EdgeNode doomed = new EdgeNode(EdgeConfig.defaults(0).toBuilder().host("127.0.0.1").build(), CATALOG, redis.uri()).start();
        URI doomedUri = uri(doomed);
        Recorder recorder = new Recorder();
        try (MarketDataClient client = MarketDataClient.builder(CATALOG).endpoints(List.of(doomedUri, uri(edge)))
                .listener(recorder).backoff(Duration.ofMillis(50), Duration.ofSeconds(1)).build()) {
            client.subscribeBook(BTC).subscribeTrades(BTC);
            client.start();
            awaitVerified(client);
            assertThat(client.endpoint()).isEqualTo(doomedUri);
            send(randomOrders(300));
            awaitSameBook(client);

            doomed.close();
            send(randomOrders(300));

            await().atMost(SETTLE).until(() -> client.reconnects() == 1 && uri(edge).equals(client.endpoint()));
            awaitSameBook(client);
            awaitAllTrades(recorder);
            // resumed from its last u and trade seq: no second snapshot, no resync, every trade once
            assertThat(client.snapshots()).isEqualTo(1);
            assertThat(client.resyncs()).isZero();
            assertThat(client.failedChecks()).isZero();
            assertConsecutiveTrades(recorder);
            assertThat(recorder.connected).containsExactly(doomedUri + " fresh", uri(edge) + " resumed");
        } finally {
            doomed.close();
        }
    }

    @Test
    void resumesAfterTheConnectionIsCutIncludingThePrivateChannels() throws Exception {
        Recorder recorder = new Recorder();
        try (WsRelay relay = new WsRelay(uri(secretEdge));
             MarketDataClient client = MarketDataClient.builder(CATALOG).endpoint(relay.uri()).listener(recorder)
                     .token(token(WATCHED)).backoff(Duration.ofMillis(50), Duration.ofSeconds(1)).build()) {
            send(List.of(new Deposit(nextId(), BTC, WATCHED, "USD", "100000", System.currentTimeMillis()),
                    new Deposit(nextId(), BTC, WATCHED, "BTC", "1000", System.currentTimeMillis())));
            client.subscribeBook(BTC).subscribeTrades(BTC).subscribePrivate();
            client.start();
            awaitVerified(client);
            await().atMost(SETTLE).until(() -> client.account() == WATCHED);

            send(withWatchedAccount(randomOrders(150)));
            awaitSameBook(client);
            await().atMost(SETTLE).until(() -> !recorder.orders.isEmpty() && !recorder.balances.isEmpty());

            relay.cutAll();
            send(withWatchedAccount(randomOrders(150)));

            await().atMost(SETTLE).until(() -> client.reconnects() == 1 && client.connected());
            awaitSameBook(client);
            awaitAllTrades(recorder);
            assertThat(relay.connectionsOpened()).isEqualTo(2);
            assertThat(client.snapshots()).isEqualTo(1);
            assertThat(client.resyncs()).isZero();
            assertConsecutiveTrades(recorder);
            assertThat(recorder.disconnected).hasSize(1);

            // private channels: seq numbers every message of the account's channel from 1, so the last one seen is
            // the number of the account's events, and from the first seen on nothing is missing or repeated
            int orderEvents = watchedCount(watchedOrderEvents);
            int balanceEvents = watchedCount(watchedBalanceEvents);
            await().atMost(SETTLE).untilAsserted(() -> {
                assertThat(recorder.orders).last().extracting(AccountMessage::seq).isEqualTo((long) orderEvents);
                assertThat(recorder.balances).last().extracting(AccountMessage::seq).isEqualTo((long) balanceEvents);
            });
            assertConsecutive(recorder.orders.stream().map(AccountMessage::seq).toList());
            assertConsecutive(recorder.balances.stream().map(AccountMessage::seq).toList());
            assertThat(recorder.orders).allSatisfy(m -> assertThat(m.channel()).isEqualTo(Channels.orders(WATCHED)));
            assertThat(recorder.balances).allSatisfy(m -> assertThat(m.event()).isInstanceOf(BalanceChanged.class));
        }
    }

    @Test
    void dropsASilentConnectionAfterTheHeartbeatTimeoutAndResumes() throws Exception {
        Recorder recorder = new Recorder();
        try (WsRelay relay = new WsRelay(uri(edge));
             MarketDataClient client = MarketDataClient.builder(CATALOG).endpoint(relay.uri()).listener(recorder)
                     .heartbeat(Duration.ofMillis(500), Duration.ofMillis(500))
                     .backoff(Duration.ofMillis(50), Duration.ofSeconds(1)).build()) {
            client.subscribeBook(BTC).subscribeTrades(BTC);
            client.start();
            awaitVerified(client);
            send(randomOrders(100));
            awaitSameBook(client);
            await().atMost(SETTLE).until(() -> !recorder.trades.isEmpty());

            // the connection stays open but nothing more arrives: the client pings, hears nothing, and moves on
            relay.freezeAll();
            send(randomOrders(100));
            await().atMost(SETTLE).until(() -> client.reconnects() == 1 && client.connected());
            assertThat(recorder.disconnected).singleElement().asString()
                    .startsWith(relay.uri() + " " + WsErrors.CLOSE_HEARTBEAT_TIMEOUT + " nothing from the edge for");
            awaitSameBook(client);
            awaitAllTrades(recorder);
            assertThat(client.snapshots()).isEqualTo(1);
            assertThat(client.resyncs()).isZero();
            assertConsecutiveTrades(recorder);
        }
    }

    @Test
    void resyncsByItselfWhenADeltaFailsItsChecksumOrLeavesAGap() throws Exception {
        Recorder recorder = new Recorder();
        try (WsRelay relay = new WsRelay(uri(edge));
             MarketDataClient client = MarketDataClient.builder(CATALOG).endpoint(relay.uri()).listener(recorder).build()) {
            client.subscribeBook(BTC);
            client.start();
            awaitVerified(client);

            relay.corruptNextDelta();
            send(randomOrders(60));
            await().atMost(SETTLE).until(() -> client.failedChecks() == 1);
            assertThat(relay.tamperDone()).isTrue();
            awaitSameBook(client);
            assertThat(recorder.resyncs).singleElement().asString().contains("checksum mismatch");

            relay.dropNextDelta();
            send(randomOrders(60));
            // a gap shows only when a later delta arrives: if the streams job merged all 60 orders' changes into
            // the one delta the relay dropped (a busy machine), nothing follows it until more orders come
            await().atMost(SETTLE).until(relay::tamperDone);
            send(randomOrders(30));
            await().atMost(SETTLE).until(() -> client.failedChecks() == 2);
            awaitSameBook(client);
            assertThat(recorder.resyncs).hasSize(2).last().asString().contains("sequence gap");

            // each failure brought one fresh snapshot over the same connection, and the book was right after it
            assertThat(client.snapshots()).isEqualTo(3);
            assertThat(client.resyncs()).isEqualTo(2);
            assertThat(client.reconnects()).isZero();
            send(randomOrders(30));
            awaitSameBook(client);
            assertThat(client.failedChecks()).isEqualTo(2);
        }
    }

    @Test
    void keepsItsConnectionAndTellsTheListenerOnATradeGapNotice() throws Exception {
        Recorder recorder = new Recorder();
        try (WsRelay relay = new WsRelay(uri(edge));
             MarketDataClient client = MarketDataClient.builder(CATALOG).endpoint(relay.uri()).listener(recorder).build()) {
            client.subscribeBook(BTC);
            client.subscribeTrades(BTC);
            client.start();
            awaitVerified(client);

            // what the edge sends a lagging subscriber whose trades it left out
            GapMessage notice = GapMessage.of(Channels.trades(BTC), 7, GapMessage.SLOW_CONSUMER, 3L, 9L);
            relay.sendToClients(Json.write(notice));
            await().atMost(SETTLE).until(() -> client.gaps() == 1);
            assertThat(recorder.gaps).containsExactly(notice);

            int tradesBefore = recorder.trades.size();
            send(randomOrders(60));
            awaitSameBook(client);
            await().atMost(SETTLE).until(() -> recorder.trades.size() > tradesBefore);
            assertThat(client.reconnects()).as("the notice is news, not a protocol error").isZero();
            assertThat(relay.connectionsOpened()).isEqualTo(1);
            assertThat(client.failedChecks()).isZero();
        }
    }

    @Test
    void followsTheEdgesResyncWhenABadDeltaIsPublishedUpstream() {
        Recorder recorder = new Recorder();
        try (MarketDataClient client = MarketDataClient.builder(CATALOG).endpoint(uri(edge)).listener(recorder).build();
             RedisMarketDataReader reader = new RedisMarketDataReader(redisClient, CATALOG)) {
            client.subscribeBook(BTC);
            client.start();
            awaitVerified(client);
            send(randomOrders(50));
            awaitSameBook(client);
            long u = reader.book(BTC, 1).lastSeq();
            await().atMost(SETTLE).until(() -> client.sequence(BTC) == u);

            // straight into the pub/sub channel the edge forwards, not into Redis's stored book: a delta that
            // follows u but whose checksum is wrong; the edge reloads the stored book and resyncs its subscribers
            BookMessage bad = new BookMessage(Channels.book(BTC), BookMessage.DELTA, u + 1, u + 1,
                    List.of(new PriceLevel("1.00", "1.0000")), List.of(), 12345, System.currentTimeMillis());
            try (var connection = redisClient.connect()) {
                assertThat(connection.sync().publish(RedisKeys.pubsub(Channels.book(BTC)), Json.write(bad))).isPositive();
            }
            await().atMost(SETTLE).until(() -> client.resyncs() == 1);
            assertThat(recorder.resyncs).containsExactly(BookMessage.RESYNC_UPSTREAM_GAP);
            assertThat(client.failedChecks()).isZero();
            awaitSameBook(client);
            assertThat(client.levels(BTC, Side.BUY)).doesNotContainKey(100L);

            send(randomOrders(50));
            awaitSameBook(client);
            assertThat(client.failedChecks()).isZero();
        }
    }

    @Test
    void movesToTheNextNodeOnADrainNoticeAndResumes() throws Exception {
        EdgeNode draining = new EdgeNode(EdgeConfig.defaults(0).toBuilder().host("127.0.0.1")
                .drainGrace(Duration.ofSeconds(20)).build(), CATALOG, redis.uri()).start();
        URI drainingUri = uri(draining);
        Recorder recorder = new Recorder();
        try (MarketDataClient client = MarketDataClient.builder(CATALOG).endpoints(List.of(drainingUri, uri(edge)))
                .listener(recorder).build()) {
            client.subscribeBook(BTC).subscribeTrades(BTC);
            client.start();
            awaitVerified(client);
            send(randomOrders(100));
            awaitSameBook(client);

            long started = System.nanoTime();
            Future<?> drain = CompletableFuture.runAsync(draining::drain);
            await().atMost(SETTLE).until(() -> client.reconnects() == 1 && uri(edge).equals(client.endpoint()));
            drain.get();
            // the client left on the notice, so the node did not wait out its 20 s grace to close it with 1012
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            assertThat(recorder.disconnected).singleElement().asString().startsWith(drainingUri + " 1012 edge asked to reconnect: draining");

            send(randomOrders(100));
            awaitSameBook(client);
            awaitAllTrades(recorder);
            assertThat(client.snapshots()).isEqualTo(1);
            assertThat(client.resyncs()).isZero();
            assertConsecutiveTrades(recorder);
        } finally {
            draining.close();
        }
    }

    @Test
    void badArgumentsThrowAndEdgeErrorsReachTheListener() {
        MarketSpec doge = MarketSpec.builder("DOGE-USD", 4, 2).build();
        MarketCatalog wider = new MarketCatalog(List.of(CATALOG.get(BTC), doge));
        Recorder recorder = new Recorder();
        try (MarketDataClient client = MarketDataClient.builder(wider).endpoint(uri(edge)).listener(recorder).build();
             MarketDataClient unauthorised = MarketDataClient.builder(CATALOG).endpoint(uri(edge)).token("a.b.c")
                     .listener(recorder).build()) {
            assertThatThrownBy(() -> client.subscribeBook("NOPE-USD")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown market: NOPE-USD");
            assertThatThrownBy(() -> client.subscribeBook(BTC, 7)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("book depth 7 is not offered");
            assertThatThrownBy(client::subscribePrivate).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("token");
            assertThatThrownBy(() -> MarketDataClient.builder(CATALOG).endpoint(URI.create("http://localhost:8080/ws")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a ws://");
            assertThatThrownBy(() -> MarketDataClient.builder(CATALOG).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no endpoint");

            // the edge does not serve DOGE-USD: the subscribe is refused as a whole; the client asks for each
            // channel alone, keeps BTC-USD's trades, and drops the DOGE-USD book
            client.subscribeBook("DOGE-USD").subscribeTrades(BTC);
            client.start();
            await().atMost(SETTLE).until(() -> recorder.errors.stream().anyMatch(e -> e.code().equals(WsErrors.UNKNOWN_CHANNEL)
                    && e.reason().contains("DOGE-USD") && e.request() != null && e.request().channels().equals(List.of("book.DOGE-USD"))));
            assertThatThrownBy(() -> client.book("DOGE-USD")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no book of DOGE-USD");
            assertThat(client.errors()).isEqualTo(2);
            int before = recorder.trades.size();
            send(randomOrders(40));
            await().atMost(SETTLE).until(() -> recorder.trades.size() > before);

            // a node without a token secret refuses auth and private channels, with the reason
            unauthorised.subscribePrivate();
            unauthorised.start();
            await().atMost(SETTLE).until(() -> recorder.errors.stream().filter(e -> e.code().equals(WsErrors.AUTH_UNAVAILABLE)).count() >= 2);
            assertThat(recorder.errors).filteredOn(e -> e.code().equals(WsErrors.AUTH_UNAVAILABLE))
                    .allSatisfy(e -> assertThat(e.reason()).contains("no token secret"));
        }
    }

    @Test
    void watchPrintsTheTopOfBookSpreadAndTrades() {
        send(randomOrders(100));
        try (MarketDataClient settled = new MarketDataClient(CATALOG, null).connect(uri(edge), Duration.ofSeconds(10))) {
            settled.subscribe(BTC);
            awaitSameBook(settled);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        WatchCommand watch = new WatchCommand();
        watch.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        StringWriter err = new StringWriter();
        int exit = new CommandLine(watch).setErr(new PrintWriter(err)).execute(BTC, "--url", uri(edge).toString(),
                "--duration", "4s", "--refresh", "200ms", "--plain", "--levels", "3");
        assertThat(exit).as(err.toString()).isZero();

        String output = bytes.toString(StandardCharsets.UTF_8);
        String[] frames = output.split(System.lineSeparator() + System.lineSeparator());
        assertThat(frames.length).isGreaterThan(5);
        String last = frames[frames.length - 1];
        MarketSpec spec = CATALOG.get(BTC);
        NavigableMap<Long, Long> bids = expected(Side.BUY);
        NavigableMap<Long, Long> asks = expected(Side.SELL);
        assertThat(last).contains("BTC-USD  " + uri(edge))
                .contains(spec.formatPrice(bids.firstKey()) + " | " + spec.formatPrice(asks.firstKey()))
                .contains("spread " + spec.formatPrice(asks.firstKey() - bids.firstKey()))
                .contains("last trades:");
        assertThat(last.lines().filter(l -> l.contains(" | ")).count()).isEqualTo(4); // header and 3 levels

        StringWriter unknownErr = new StringWriter();
        int unknown = new CommandLine(new WatchCommand()).setErr(new PrintWriter(unknownErr))
                .execute("NOPE-USD", "--url", uri(edge).toString(), "--duration", "1s");
        assertThat(unknown).isEqualTo(2);
        assertThat(unknownErr.toString()).contains("unknown market 'NOPE-USD'").contains("BTC-USD");
    }

    // ------------------------------------------------------------------ helpers

    /** What a client told its listener, in order. */
    private static final class Recorder implements MarketDataListener {
        final List<TradeMessage> trades = new CopyOnWriteArrayList<>();
        final List<TickerMessage> tickers = new CopyOnWriteArrayList<>();
        final List<KlineMessage> klines = new CopyOnWriteArrayList<>();
        final List<AccountMessage> orders = new CopyOnWriteArrayList<>();
        final List<AccountMessage> balances = new CopyOnWriteArrayList<>();
        final List<String> resyncs = new CopyOnWriteArrayList<>();
        final List<GapMessage> gaps = new CopyOnWriteArrayList<>();
        final List<EdgeError> errors = new CopyOnWriteArrayList<>();
        final List<String> connected = new CopyOnWriteArrayList<>();
        final List<String> disconnected = new CopyOnWriteArrayList<>();

        @Override
        public void onTrade(TradeMessage trade) {
            trades.add(trade);
        }

        @Override
        public void onTicker(TickerMessage ticker) {
            tickers.add(ticker);
        }

        @Override
        public void onKline(KlineMessage kline) {
            klines.add(kline);
        }

        @Override
        public void onOrderUpdate(AccountMessage update) {
            orders.add(update);
        }

        @Override
        public void onBalanceUpdate(AccountMessage update) {
            balances.add(update);
        }

        @Override
        public void onResync(String market, String reason) {
            resyncs.add(reason);
        }

        @Override
        public void onGap(GapMessage gap) {
            gaps.add(gap);
        }

        @Override
        public void onError(EdgeError error) {
            errors.add(error);
        }

        @Override
        public void onConnected(URI endpoint, boolean resumed) {
            connected.add(endpoint + (resumed ? " resumed" : " fresh"));
        }

        @Override
        public void onDisconnected(URI endpoint, int code, String reason) {
            disconnected.add(endpoint + " " + code + " " + reason);
        }
    }

    private static URI uri(EdgeNode node) {
        return URI.create("ws://127.0.0.1:" + node.port() + "/ws");
    }

    private static String token(long account) {
        return JWT.create().withSubject(Long.toString(account)).withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.HMAC256(SECRET));
    }

    private static synchronized String nextId() {
        return "c" + (++commandNo);
    }

    /** Random limit orders and cancels of accounts 1-4 around 100.00 (some cancels name no open order). */
    private static synchronized List<OrderCommand> randomOrders(int n) {
        List<OrderCommand> commands = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            long account = 1 + random.nextInt(4);
            if (random.nextInt(10) < 8) {
                long cents = 9_500 + random.nextInt(1_001);
                long lots = 200 + random.nextInt(9_800);
                commands.add(new PlaceLimitOrder(nextId(), BTC, account, "o" + commandNo,
                        random.nextBoolean() ? Side.BUY : Side.SELL, String.format("%d.%02d", cents / 100, cents % 100),
                        String.format("%d.%04d", lots / 10_000, lots % 10_000), now));
            } else {
                commands.add(new CancelOrder(nextId(), BTC, account, 1 + random.nextInt((int) Math.max(1, commandNo)), now));
            }
        }
        return commands;
    }

    /** Gives every fifth command to the watched account instead. */
    private static List<OrderCommand> withWatchedAccount(List<OrderCommand> commands) {
        List<OrderCommand> out = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            OrderCommand c = commands.get(i);
            if (i % 5 == 0 && c instanceof PlaceLimitOrder o) {
                out.add(new PlaceLimitOrder(o.commandId(), o.market(), WATCHED, o.clientOrderId(), o.side(), o.price(),
                        o.qty(), o.ts()));
            } else {
                out.add(c);
            }
        }
        return out;
    }

    /** Sends commands to the engine in order and applies them to the reference engine. */
    private static synchronized void send(List<OrderCommand> commands) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (OrderCommand command : commands) {
            sent.add(producer.send(new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), BTC, Json.writeBytes(command))));
            for (EngineEvent event : reference.process(command, command.ts())) {
                if (event instanceof Trade trade) {
                    referenceTrades.add(trade);
                }
                for (long account : event.accounts()) {
                    if (account == WATCHED) {
                        (event instanceof BalanceChanged ? watchedBalanceEvents : watchedOrderEvents).add(event);
                    }
                }
            }
        }
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get();
            } catch (Exception e) {
                throw new IllegalStateException("sending a command failed", e);
            }
        }
    }

    private static synchronized NavigableMap<Long, Long> expected(Side side) {
        return new TreeMap<>(reference.levels(BTC, side));
    }

    private static synchronized Trade lastTrade() {
        return referenceTrades.get(referenceTrades.size() - 1);
    }

    private static synchronized int watchedCount(List<EngineEvent> events) {
        return events.size();
    }

    private static void awaitVerified(MarketDataClient client) {
        await().atMost(SETTLE).until(() -> client.connected() && client.sequence(BTC) >= 0);
    }

    private static void awaitSameBook(MarketDataClient client) {
        await().atMost(SETTLE).untilAsserted(() -> {
            assertThat(client.levels(BTC, Side.BUY)).isEqualTo(expected(Side.BUY));
            assertThat(client.levels(BTC, Side.SELL)).isEqualTo(expected(Side.SELL));
        });
    }

    private static void awaitAllTrades(Recorder recorder) {
        await().atMost(SETTLE).untilAsserted(() -> assertThat(recorder.trades).last()
                .extracting(TradeMessage::tradeId).isEqualTo(lastTrade().tradeId()));
    }

    /** From the first trade the client saw to the last: every trade id once, in order. */
    private static void assertConsecutiveTrades(Recorder recorder) {
        assertConsecutive(recorder.trades.stream().map(TradeMessage::tradeId).toList());
    }

    private static void assertConsecutive(List<Long> ids) {
        assertThat(ids).isNotEmpty();
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i)).as("after %d at index %d", ids.get(i - 1), i).isEqualTo(ids.get(i - 1) + 1);
        }
    }
}
