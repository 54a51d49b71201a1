package io.marketstream.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.protocol.ws.WsErrors;

/**
 * The edge under stress and faults, over real WebSockets and a real Redis: slow consumers, resume on the
 * same and on another node, connection and rate limits, Origin, heartbeats, drain, a Redis restart.
 */
class EdgeResilienceIT {
    static final MarketCatalog CATALOG = MarketCatalog.defaults();
    static final MarketSpec BTC = CATALOG.get("BTC-USD");
    private static EdgeFixture fixture;
    private final List<EdgeNode> nodes = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws Exception {
        fixture = EdgeFixture.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        fixture.close();
    }

    @BeforeEach
    void flush() {
        fixture.flushRedis();
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(EdgeNode::close);
    }

    private EdgeNode node(EdgeConfig.Builder config) {
        EdgeNode node = new EdgeNode(config.host("127.0.0.1").build(), CATALOG, fixture.redis.uri()).start();
        nodes.add(node);
        return node;
    }

    /** A WebSocket client whose sockets take at most 8 KiB before the node's writes back up. */
    private static WebSocketClient smallBufferClient() throws Exception {
        HttpClient smallBuffers = new HttpClient();
        smallBuffers.getClientConnector().setReceiveBufferSize(8 * 1024);
        WebSocketClient client = new WebSocketClient(smallBuffers);
        client.start();
        return client;
    }

    private static EdgeConfig.Builder defaults() {
        return EdgeConfig.defaults(0).toBuilder();
    }

    /** Reads every queued book message into the replica (asserting each); returns how many. */
    private static int drain(WsTestClient client, BookReplica replica, Duration quiet) throws InterruptedException {
        int n = 0;
        JsonNode message;
        while ((message = client.poll(quiet)) != null) {
            if (BookReplica.isBook(message)) {
                replica.apply(message);
                n++;
            }
        }
        return n;
    }

    @Test
    void shouldConflateThenResyncASlowClientWhileAFastOneGetsEveryUpdateInOrder() throws Exception {
        EdgeNode node = node(defaults().queueLimits(128 * 1024, 64L * 1024 * 1024).maxConflatedLevels(150)
                .socketSendBufferBytes(8 * 1024));
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 3);
        feed.snapshot(100);
        WebSocketClient slowWs = smallBufferClient();
        try (WsTestClient fast = new WsTestClient(fixture.ws, node.port());
             WsTestClient slow = new WsTestClient(slowWs, node.port())) {
            BookReplica fastBook = new BookReplica(BTC, 0);
            BookReplica slowBook = new BookReplica(BTC, 0);
            fast.subscribe("book.BTC-USD");
            slow.subscribe("book.BTC-USD");
            fastBook.apply(fast.next());
            slowBook.apply(slow.next());
            slow.pause();

            // phase 1: changes within a few levels of the top, too few distinct prices to force a resync
            for (int i = 0; i < 1500; i++) {
                feed.delta(6, 12);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                drain(fast, fastBook, Duration.ofMillis(20));
                return fastBook.u == feed.u;
            });
            slow.resume();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                drain(slow, slowBook, Duration.ofMillis(50));
                return slowBook.u == feed.u;
            });
            assertThat(slowBook.matches(feed.truth)).isTrue();
            assertThat(slowBook.mergedDeltas).as("the slow client's deltas were merged").isPositive();
            assertThat(slowBook.resyncs).isEmpty();

            // phase 2: changes all over the book: more changed levels than a conflated delta may carry
            slow.pause();
            for (int i = 0; i < 1500; i++) {
                feed.delta(8, 120);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                drain(fast, fastBook, Duration.ofMillis(20));
                return fastBook.u == feed.u;
            });
            slow.resume();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                drain(slow, slowBook, Duration.ofMillis(50));
                return slowBook.u == feed.u;
            });
            assertThat(slowBook.resyncs).as("a fresh snapshot once it caught up").contains("slow_consumer");
            assertThat(slowBook.matches(feed.truth)).isTrue();

            // every delta, in order; merged only where the node itself fell behind (which it counts)
            assertThat(fastBook.deltas).as("the fast client got every delta, in order")
                    .isEqualTo(feed.u - fastBook.firstU - node.metrics().mergedDeltas());
            assertThat(fastBook.resyncs).isEmpty();
            assertThat(fastBook.matches(feed.truth)).isTrue();
            assertThat(slow.session().isOpen()).isTrue();
        } finally {
            slowWs.stop();
        }
    }

    /** Occupies every thread of one of the node's pools until the returned latch is counted down. */
    private static java.util.concurrent.CountDownLatch block(java.util.concurrent.ExecutorService pool)
            throws InterruptedException {
        int threads = ((java.util.concurrent.ThreadPoolExecutor) pool).getMaximumPoolSize();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(threads);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < threads; i++) {
            pool.execute(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        started.await();
        return release;
    }

    @Test
    void shouldSendTheDeltasANodeFellBehindOnInOneRoundMergingTheOldestBeyondTheCapButNeverTrades() throws Exception {
        EdgeNode node = node(defaults());
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 11);
        feed.snapshot(60);
        try (WsTestClient client = new WsTestClient(fixture.ws, node.port())) {
            BookReplica raw = new BookReplica(BTC, 0);
            BookReplica top = new BookReplica(BTC, 10);
            List<JsonNode> rawMessages = new ArrayList<>();
            List<String> rawTexts = new ArrayList<>();
            long[] nextTrade = {1};
            java.util.function.Consumer<JsonNode> receive = message -> {
                String ch = message.path("ch").asText();
                if (ch.equals("book.BTC-USD")) {
                    raw.apply(message); // asserts U = previous u + 1 and the checksum after applying it
                    rawMessages.add(message);
                    rawTexts.add(client.lastText);
                } else if (ch.equals("book.BTC-USD.10")) {
                    top.apply(message);
                } else if (ch.equals("trades.BTC-USD")) {
                    assertThat(message.get("id").asLong()).as("every trade, one message each").isEqualTo(nextTrade[0]++);
                }
            };
            client.subscribe("book.BTC-USD", "book.BTC-USD.10", "trades.BTC-USD");
            await().until(() -> node.hub().subscriber().channels().contains("trades.BTC-USD"));
            while (raw.u < 0 || top.u < 0) {
                receive.accept(client.next());
            }
            // keeping up: one message per delta, as published
            for (int i = 0; i < 5; i++) {
                feed.delta();
                while (raw.u != feed.u) {
                    receive.accept(client.next());
                }
            }
            assertThat(raw.mergedDeltas).isZero();
            long before = feed.u;
            int rawBefore = rawMessages.size();

            // the node falls behind: 40 book deltas (changes all over the book) and 40 trades wait in its inbox
            java.util.concurrent.CountDownLatch release = block(node.hub().fanout());
            for (int i = 0; i < 40; i++) {
                feed.delta(6, 80);
                fixture.publisher.publishTrade(new TradeMessage("trades.BTC-USD", i + 1, i + 1, "100.00", "1.0000",
                        Side.BUY, System.currentTimeMillis()));
            }
            await().until(() -> node.hub().topic("book.BTC-USD").inboxed() == 40
                    && node.hub().topic("trades.BTC-USD").inboxed() == 40);
            release.countDown();
            while (raw.u != feed.u || nextTrade[0] <= 40 || top.u != feed.u) {
                receive.accept(client.next());
            }
            int cap = BookTopic.MAX_MESSAGES_PER_ROUND;
            assertThat(rawMessages.size() - rawBefore).as("at most the cap of raw messages for the 40 deltas")
                    .isEqualTo(cap);
            JsonNode merged = rawMessages.get(rawBefore);
            long mergedUpTo = before + 40 - (cap - 1);
            assertThat(merged.get("U").asLong()).as("covers from the first delta it merged").isEqualTo(before + 1);
            assertThat(merged.get("u").asLong()).as("to the last of the oldest").isEqualTo(mergedUpTo);
            for (int i = 1; i < cap; i++) {
                JsonNode single = rawMessages.get(rawBefore + i);
                assertThat(single.get("U").asLong()).as("then one delta each, as published").isEqualTo(mergedUpTo + i)
                        .isEqualTo(single.get("u").asLong());
            }
            assertThat(raw.matches(feed.truth)).as("the deltas, the oldest merged, leave the same book as the 40")
                    .isTrue();
            assertThat(top.matches(feed.truth)).isTrue();
            assertThat(node.metrics().mergedDeltas()).isEqualTo(40 - cap);

            // caught up: single deltas go out as published again
            feed.delta();
            while (raw.u != feed.u) {
                receive.accept(client.next());
            }
            assertThat(raw.mergedDeltas).isEqualTo(1);
            assertThat(raw.matches(feed.truth)).isTrue();

            // behind by fewer than the cap: every delta goes out as published, byte for byte, in one round
            long mergedBeforeShort = node.metrics().mergedDeltas();
            before = feed.u;
            rawBefore = rawMessages.size();
            release = block(node.hub().fanout());
            List<String> published = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                published.add(Json.write(feed.delta(6, 80)));
            }
            await().until(() -> node.hub().topic("book.BTC-USD").inboxed() == 10);
            release.countDown();
            while (raw.u != feed.u || top.u != feed.u) {
                receive.accept(client.next());
            }
            assertThat(rawMessages.size() - rawBefore).as("one raw message per delta").isEqualTo(10);
            for (int i = 0; i < 10; i++) {
                assertThat(rawTexts.get(rawBefore + i)).as("delta %d as published", i).isEqualTo(published.get(i));
            }
            assertThat(node.metrics().mergedDeltas()).isEqualTo(mergedBeforeShort);
            assertThat(raw.mergedDeltas).isEqualTo(1);
            assertThat(raw.matches(feed.truth)).isTrue();
            assertThat(top.matches(feed.truth)).isTrue();
        }
    }


    @Test
    void shouldHoldTheNextDeltasInTheTopicWhileTheWritersAreBehindAndSendThemMerged() throws Exception {
        EdgeNode node = node(defaults());
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 12);
        feed.snapshot(60);
        try (WsTestClient fast = new WsTestClient(fixture.ws, node.port());
             WsTestClient other = new WsTestClient(fixture.ws, node.port())) {
            BookReplica fastBook = new BookReplica(BTC, 0);
            BookReplica otherBook = new BookReplica(BTC, 0);
            fast.subscribe("book.BTC-USD");
            other.subscribe("book.BTC-USD");
            fastBook.apply(fast.next());
            otherBook.apply(other.next());

            // the writers hand nothing to Jetty: the first delta's fan-out cannot finish, the next ones wait in the topic
            java.util.concurrent.CountDownLatch release = block(node.hub().writers());
            for (int i = 0; i < 40; i++) {
                feed.delta(6, 80);
            }
            await().until(() -> node.hub().topic("book.BTC-USD").inboxed() == 0);
            release.countDown();

            for (WsTestClient client : List.of(fast, other)) {
                BookReplica book = client == fast ? fastBook : otherBook;
                int before = book.messages;
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    drain(client, book, Duration.ofMillis(20));
                    return book.u == feed.u;
                });
                assertThat(book.matches(feed.truth)).isTrue();
                assertThat(book.messages - before).as("the deltas that waited went out merged")
                        .isLessThan(40).isEqualTo(40 - (int) node.metrics().mergedDeltas());
                assertThat(book.mergedDeltas).isPositive();
            }
        }
    }

    @Test
    void shouldDeliverEachRoundsFramesInOrderBetweenPingsAndBeforeTheClose() throws Exception {
        // pings every 50 ms to a silent client: Jetty's PING frames and the node's ping notices go out between
        // and beside rounds of ten frames each, which the writers hand to Jetty together (one write each)
        EdgeNode node = node(defaults().heartbeat(Duration.ofMillis(50), Duration.ofSeconds(10))
                .drainGrace(Duration.ofMillis(300)));
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 13);
        feed.snapshot(40);
        try (WsTestClient client = new WsTestClient(fixture.ws, node.port())) {
            BookReplica book = new BookReplica(BTC, 0);
            client.subscribe("book.BTC-USD");
            book.apply(client.next(BookReplica::isBook));
            long mergedBefore = node.metrics().mergedDeltas();
            for (int round = 0; round < 8; round++) {
                java.util.concurrent.CountDownLatch release = block(node.hub().fanout());
                for (int i = 0; i < 10; i++) {
                    feed.delta(4, 60);
                }
                await().pollInterval(Duration.ofMillis(5))
                        .until(() -> node.hub().topic("book.BTC-USD").inboxed() == 10);
                release.countDown();
                Thread.sleep(60);
            }
            node.drain();
            assertThat(client.awaitClose()).as("closed after the grace, once").isEqualTo(1012);
            int pings = 0;
            int reconnects = 0;
            int deltasAfterPing = 0;
            JsonNode message;
            while ((message = client.poll(Duration.ofMillis(200))) != null) {
                if (BookReplica.isBook(message)) {
                    book.apply(message); // asserts U = previous u + 1 and the checksum
                    assertThat(reconnects).as("no book message after the reconnect notice").isZero();
                    deltasAfterPing += pings > 0 ? 1 : 0;
                } else if ("ping".equals(message.path("op").asText())) {
                    pings++;
                } else if ("reconnect".equals(message.path("op").asText())) {
                    reconnects++;
                    assertThat(message.get("resume").get("book.BTC-USD").asLong()).isEqualTo(feed.u);
                }
            }
            assertThat(book.u).as("every round arrived, in order, before the close").isEqualTo(feed.u);
            assertThat(book.matches(feed.truth)).isTrue();
            assertThat(book.deltas).as("one message per delta: nothing merged").isEqualTo(80);
            assertThat(node.metrics().mergedDeltas()).isEqualTo(mergedBefore);
            assertThat(pings).as("ping notices went out between the rounds").isPositive();
            assertThat(client.pingFrames.get()).as("and PING frames, each answered").isPositive();
            assertThat(deltasAfterPing).isPositive();
            assertThat(reconnects).isEqualTo(1);
        }
    }

    @Test
    void shouldCloseAClientThatStaysBehindWith4008() throws Exception {
        EdgeNode node = node(defaults().queueLimits(16 * 1024, 256 * 1024).slowConsumerTimeout(Duration.ofSeconds(1))
                .socketSendBufferBytes(8 * 1024));
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 4);
        feed.snapshot(20);
        WebSocketClient slowWs = smallBufferClient();
        try (WsTestClient slow = new WsTestClient(slowWs, node.port())) {
            slow.subscribe("book.BTC-USD", "trades.BTC-USD");
            slow.next();
            slow.pause();
            for (int i = 0; i < 3000 && closes(node, WsErrors.CLOSE_SLOW_CONSUMER) == 0; i++) {
                feed.delta(8, 120);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> closes(node, WsErrors.CLOSE_SLOW_CONSUMER) == 1);
            slow.resume();
            assertThat(slow.awaitClose()).isEqualTo(WsErrors.CLOSE_SLOW_CONSUMER);
            assertThat(slow.closeReason).startsWith("slow consumer");
        } finally {
            slowWs.stop();
        }
    }

    private static double closes(EdgeNode node, int code) {
        var counter = node.metrics().registry().find("marketstream.edge.closes").tag("code", Integer.toString(code)).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void shouldAnnounceTradesLeftOutForALaggingClient() throws Exception {
        EdgeNode node = node(defaults().queueLimits(8 * 1024, 64L * 1024 * 1024).socketSendBufferBytes(8 * 1024));
        WebSocketClient slowWs = smallBufferClient();
        try (WsTestClient slow = new WsTestClient(slowWs, node.port())) {
            slow.subscribe("trades.BTC-USD");
            await().until(() -> node.hub().subscriber().channels().contains("trades.BTC-USD"));
            slow.pause();
            for (int id = 1; id <= 3000; id++) {
                fixture.publisher.publishTrade(new TradeMessage("trades.BTC-USD", id * 2L, id, "100.00", "1.0000", Side.BUY,
                        System.currentTimeMillis()));
            }
            slow.resume();
            long expectedId = 1;
            boolean gap = false;
            while (expectedId <= 3000) {
                JsonNode message = slow.next();
                if ("gap".equals(message.path("type").asText())) {
                    gap = true;
                    assertThat(message.get("reason").asText()).isEqualTo("slow_consumer");
                    assertThat(message.get("from").asLong()).isEqualTo(expectedId);
                    assertThat(message.get("after").asLong()).isEqualTo((expectedId - 1) * 2);
                    expectedId = message.get("to").asLong() + 1;
                } else {
                    assertThat(message.get("id").asLong()).as("every trade or an announced gap").isEqualTo(expectedId);
                    expectedId++;
                }
            }
            assertThat(gap).isTrue();
        } finally {
            slowWs.stop();
        }
    }

    @Test
    void shouldResumeOnTheSameNodeAndOnAnotherWithExactlyWhatWasMissed() throws Exception {
        EdgeNode first = node(defaults());
        EdgeNode second = node(defaults());
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 5);
        feed.snapshot(30);
        BookReplica book = new BookReplica(BTC, 0);
        long lastTrade;
        try (WsTestClient client = new WsTestClient(fixture.ws, first.port())) {
            client.subscribe("book.BTC-USD", "trades.BTC-USD");
            book.apply(client.next());
            await().until(() -> first.hub().subscriber().channels().contains("trades.BTC-USD"));
            for (int i = 1; i <= 50; i++) {
                feed.delta();
                fixture.publisher.publishTrade(new TradeMessage("trades.BTC-USD", feed.u, i, "100.00", "1.0000", Side.BUY, 1));
            }
            lastTrade = 0;
            while (book.u < feed.u || lastTrade < feed.u) {
                JsonNode message = client.next();
                if (BookReplica.isBook(message)) {
                    book.apply(message);
                } else {
                    lastTrade = message.get("seq").asLong();
                }
            }
        }
        // missed while disconnected
        for (int i = 51; i <= 80; i++) {
            feed.delta();
            fixture.publisher.publishTrade(new TradeMessage("trades.BTC-USD", feed.u, i, "100.00", "1.0000", Side.BUY, 1));
        }
        // back on the same node: its in-memory book topic is gone with the last subscriber, so this reads history
        lastTrade = resume(first, book, lastTrade, feed, 81, 100);
        // and on another node
        resume(second, book, lastTrade, feed, 101, 120);
        assertThat(book.resyncs).isEmpty();
        assertThat(book.matches(feed.truth)).isTrue();
    }

    private long resume(EdgeNode node, BookReplica book, long lastTrade, BookFeed feed, int fromId, int toId)
            throws Exception {
        long u = book.u;
        try (WsTestClient client = new WsTestClient(fixture.ws, node.port())) {
            long id = client.request("subscribe", "\"ch\":[\"book.BTC-USD\",\"trades.BTC-USD\"],\"since\":{\"book.BTC-USD\":"
                    + u + ",\"trades.BTC-USD\":" + lastTrade + "}");
            assertThat(client.replyTo(id).get("op").asText()).isEqualTo("ok");
            await().until(() -> node.hub().subscriber().channels().contains("trades.BTC-USD"));
            for (int i = fromId; i <= toId; i++) {
                feed.delta();
                fixture.publisher.publishTrade(new TradeMessage("trades.BTC-USD", feed.u, i, "100.00", "1.0000", Side.BUY, 1));
            }
            List<Long> tradeIds = new ArrayList<>();
            boolean first = true;
            while (book.u < feed.u || lastTrade < feed.u) {
                JsonNode message = client.next();
                if (BookReplica.isBook(message)) {
                    if (first) {
                        assertThat(message.get("type").asText()).as("a delta of what was missed, not a snapshot")
                                .isEqualTo("delta");
                        assertThat(message.get("U").asLong()).isEqualTo(u + 1);
                        first = false;
                    }
                    book.apply(message);
                } else {
                    assertThat(message.get("seq").asLong()).isGreaterThan(lastTrade);
                    lastTrade = message.get("seq").asLong();
                    tradeIds.add(message.get("id").asLong());
                }
            }
            long firstMissed = fromId == 81 ? 51 : fromId;
            List<Long> expected = new ArrayList<>();
            for (long t = firstMissed; t <= toId; t++) {
                expected.add(t);
            }
            assertThat(tradeIds).as("the trades missed, then the live ones, each once").isEqualTo(expected);
        }
        return lastTrade;
    }

    @Test
    void shouldSayWhenTheHistoryNoLongerReachesBack() throws Exception {
        EdgeNode node = node(defaults());
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 6);
        feed.snapshot(10);
        feed.delta();
        try (var connection = fixture.client.connect()) {
            connection.sync().xtrim(io.marketstream.protocol.RedisKeys.history("BTC-USD", "book.BTC-USD"), 0);
            connection.sync().xtrim(io.marketstream.protocol.RedisKeys.history("BTC-USD", "trades.BTC-USD"), 0);
        }
        fixture.publisher.publishTrade(new TradeMessage("trades.BTC-USD", 50, 9, "100.00", "1.0000", Side.BUY, 1));
        try (WsTestClient client = new WsTestClient(fixture.ws, node.port())) {
            client.request("subscribe", "\"ch\":[\"book.BTC-USD\",\"trades.BTC-USD\"],\"since\":{\"book.BTC-USD\":0,"
                    + "\"trades.BTC-USD\":3}");
            JsonNode snapshot = null;
            JsonNode gap = null;
            while (snapshot == null || gap == null) {
                JsonNode message = client.next();
                if (BookReplica.isBook(message)) {
                    snapshot = message;
                } else if ("gap".equals(message.path("type").asText())) {
                    gap = message;
                }
            }
            assertThat(snapshot.get("type").asText()).isEqualTo("snapshot");
            assertThat(snapshot.get("resync").asText()).isEqualTo("history_expired");
            assertThat(gap.get("ch").asText()).isEqualTo("trades.BTC-USD");
            assertThat(gap.get("reason").asText()).isEqualTo("history_expired");
            assertThat(gap.get("after").asLong()).isEqualTo(3);
        }
    }

    @Test
    void shouldEnforceConnectionLimitsPerAddressAndPerAccount() throws Exception {
        String secret = "0123456789abcdef0123456789abcdef-test";
        EdgeNode node = node(defaults().maxConnectionsPerIp(2).maxConnectionsPerAccount(1).jwtSecret(secret));
        try (WsTestClient a = new WsTestClient(fixture.ws, node.port());
             WsTestClient b = new WsTestClient(fixture.ws, node.port())) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new WsTestClient(fixture.ws, node.port())))
                    .as("a third connection from the address is refused at the handshake").hasStackTraceContaining("429");
            assertThat(a.replyTo(a.request("auth", "\"token\":\"" + Tokens.sign(secret, 9, 60) + "\"")).get("acct").asLong())
                    .isEqualTo(9);
            assertThat(b.replyTo(b.request("auth", "\"token\":\"" + Tokens.sign(secret, 9, 60) + "\"")).get("op").asText())
                    .isEqualTo("ok");
            assertThat(a.awaitClose()).as("the account's oldest connection").isEqualTo(WsErrors.CLOSE_ACCOUNT_LIMIT);
            assertThat(b.session().isOpen()).isTrue();
        }
    }

    @Test
    void shouldRateLimitRequestsThenCloseAClientThatKeepsFlooding() throws Exception {
        EdgeNode node = node(defaults().maxMessagesPerSecond(5));
        try (WsTestClient client = new WsTestClient(fixture.ws, node.port())) {
            for (int i = 0; i < 40; i++) {
                client.request("ping", "");
            }
            List<String> codes = new ArrayList<>();
            while (!client.closeCode.isDone() || client.queued() > 0) {
                JsonNode message = client.poll(Duration.ofSeconds(2));
                if (message == null) {
                    break;
                }
                codes.add(message.path("op").asText() + ":" + message.path("code").asText());
            }
            assertThat(codes).contains("pong:", "error:rate_limited");
            assertThat(client.awaitClose()).isEqualTo(WsErrors.CLOSE_POLICY);
            assertThat(client.closeReason).contains("rate");
        }
    }

    @Test
    void shouldRefuseAnOriginNotAllowedAtTheHandshake() throws Exception {
        EdgeNode node = node(defaults().allowedOrigins(List.of("https://exchange.example")));
        ClientUpgradeRequest evil = new ClientUpgradeRequest();
        evil.setHeader("Origin", "https://evil.example");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new WsTestClient(fixture.ws, node.port(), evil)))
                .hasStackTraceContaining("403");
        ClientUpgradeRequest good = new ClientUpgradeRequest();
        good.setHeader("Origin", "https://exchange.example");
        try (WsTestClient client = new WsTestClient(fixture.ws, node.port(), good)) {
            assertThat(client.replyTo(client.request("ping", "")).get("op").asText()).isEqualTo("pong");
        }
    }

    @Test
    void shouldCloseAConnectionThatStopsAnsweringPings() throws Exception {
        EdgeNode node = node(defaults().heartbeat(Duration.ofMillis(300), Duration.ofMillis(300)));
        try (Socket zombie = new Socket("127.0.0.1", node.port())) {
            OutputStream out = zombie.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = zombie.getInputStream();
            byte[] head = new byte[12];
            assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
            await().atMost(Duration.ofSeconds(5)).until(() -> node.connections().size() == 1);
            // then silence: never a pong, never a frame
            await().atMost(Duration.ofSeconds(10)).until(() -> node.connections().size() == 0);
        }
        try (WsTestClient live = new WsTestClient(fixture.ws, node.port())) {
            Thread.sleep(1500);
            assertThat(live.session().isOpen()).as("a client that answers pings stays").isTrue();
            JsonNode ping = live.next(m -> "ping".equals(m.path("op").asText()));
            assertThat(ping.get("ts").asLong()).isPositive();
        }
    }

    @Test
    void shouldAnswerAClientsPingFrameWithAPong() throws Exception {
        EdgeNode node = node(defaults());
        try (WsTestClient client = new WsTestClient(fixture.ws, node.port())) {
            for (int i = 1; i <= 3; i++) {
                client.session().sendPing(ByteBuffer.wrap(new byte[] {(byte) i}),
                        org.eclipse.jetty.websocket.api.Callback.NOOP);
                int expected = i;
                await().atMost(Duration.ofSeconds(5)).until(() -> client.pongFrames.get() == expected);
            }
            assertThat(client.session().isOpen()).isTrue();
        }
    }

    @Test
    void shouldTellClientsToReconnectWithTheirPositionsThenCloseWith1012OnDrain() throws Exception {
        EdgeNode node = node(defaults().drainGrace(Duration.ofMillis(500)));
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 7);
        feed.snapshot(5);
        try (WsTestClient client = new WsTestClient(fixture.ws, node.port())) {
            client.subscribe("book.BTC-USD", "trades.BTC-USD");
            JsonNode snapshot = client.next(BookReplica::isBook);
            node.drain();
            JsonNode notice = client.next(m -> "reconnect".equals(m.path("op").asText()));
            assertThat(notice.get("in").asLong()).isEqualTo(500);
            assertThat(notice.get("resume").get("book.BTC-USD").asLong()).isEqualTo(snapshot.get("u").asLong());
            assertThat(notice.get("resume").has("trades.BTC-USD")).isTrue();
            assertThat(client.awaitClose()).isEqualTo(1012);
            assertThat(node.isAccepting()).isFalse();
        }
    }

    @Test
    void shouldRecoverBooksAfterRedisRestartsMidStream() throws Exception {
        EdgeNode node = node(defaults());
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 8);
        feed.snapshot(20);
        BookReplica book = new BookReplica(BTC, 0);
        try (WsTestClient client = new WsTestClient(fixture.ws, node.port())) {
            client.subscribe("book.BTC-USD");
            book.apply(client.next());
            for (int i = 0; i < 20; i++) {
                feed.delta();
            }
            fixture.redis.restart();
            // Redis came back empty (no persistence): the fixture.publisher starts the book again with a snapshot
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                feed.snapshot(20);
                return true;
            });
            for (int i = 0; i < 20; i++) {
                feed.delta();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                drain(client, book, Duration.ofMillis(50));
                return book.u == feed.u && book.matches(feed.truth);
            });
            assertThat(book.resyncs).as("the node resynced its clients from the new snapshot").isNotEmpty();
        }
    }
}
