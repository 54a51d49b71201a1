package io.marketstream.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.internal.Generator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.marketstream.edge.RawWsClient.RawFrame;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;

/**
 * What a connection's writer puts on the wire, read byte by byte: rounds of deltas handed to Jetty together (as
 * {@link FrameRun}s on a connection without extensions, one Jetty frame each through permessage-deflate), with the
 * node's and Jetty's control frames between them and the close after them.
 */
class OutboxWireIT {
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

    @Test
    void shouldPutEveryMessageOnTheWireAsJettyEncodesOneFrameEachBetweenControlFramesAndBeforeTheClose()
            throws Exception {
        // pings every 50 ms: the node's PING frames and ping notices go out between and beside the rounds of ten
        // deltas, the client's PING frames are answered between them, and a drain closes the connection after them
        EdgeNode node = node(EdgeConfig.defaults(0).toBuilder().heartbeat(Duration.ofMillis(50), Duration.ofSeconds(10))
                .drainGrace(Duration.ofMillis(300)));
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 21);
        feed.snapshot(1800); // a snapshot larger than a run may be: it goes to Jetty as a frame of its own
        try (RawWsClient client = new RawWsClient(node.port())) {
            client.sendText("{\"op\":\"subscribe\",\"id\":1,\"ch\":[\"book.BTC-USD\"]}");
            await().atMost(Duration.ofSeconds(10)).until(() -> node.hub().topic("book.BTC-USD") != null
                    && node.hub().topic("book.BTC-USD").subscribers().size() == 1);
            for (int round = 0; round < 8; round++) {
                CountDownLatch release = block(node.hub().fanout());
                for (int i = 0; i < 10; i++) {
                    feed.delta(4, 60);
                }
                await().pollInterval(Duration.ofMillis(5)).until(() -> node.hub().topic("book.BTC-USD").inboxed() == 10);
                release.countDown();
                client.send(RawFrame.PING, new byte[] {(byte) round});
                Thread.sleep(60);
            }
            node.drain();

            List<RawFrame> frames = new ArrayList<>();
            List<String> messages = new ArrayList<>();
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            int messageFrames = 0;
            List<Integer> largestMessageFrames = new ArrayList<>();
            RawFrame frame;
            do {
                frame = client.read();
                frames.add(frame);
                // the node's PINGs go unanswered: they are read after the drain, and the pong timeout is 10 s
                if (frame.opcode() == RawFrame.TEXT || frame.opcode() == RawFrame.CONTINUATION) {
                    message.write(frame.payload());
                    messageFrames++;
                    if (frame.fin()) {
                        messages.add(message.toString(StandardCharsets.UTF_8));
                        if (message.size() > EdgeNode.OUTPUT_BUFFER_BYTES) {
                            largestMessageFrames.add(messageFrames);
                        }
                        message.reset();
                        messageFrames = 0;
                    }
                }
            } while (frame.opcode() != RawFrame.CLOSE);
            assertThat(client.atEndOfStream()).as("nothing after the close; the node closes the socket").isTrue();

            assertThat(client.wire.toByteArray()).as("every byte as Jetty encodes these frames one by one")
                    .isEqualTo(jettyEncoding(frames));
            assertThat(frame.closeCode()).as("the close comes last").isEqualTo(1012);
            assertThat(largestMessageFrames).as("the snapshot, larger than a run").hasSize(1);
            assertThat(frames.stream().filter(f -> f.opcode() == RawFrame.PONG).map(f -> (int) f.payload()[0]).toList())
                    .as("every PING answered, in order").containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            assertThat(frames.stream().filter(f -> f.opcode() == RawFrame.PING).count()).as("the node's PING frames")
                    .isPositive();

            BookReplica book = new BookReplica(BTC, 0);
            int pings = 0;
            int reconnects = 0;
            for (String text : messages) {
                JsonNode node1 = Json.mapper().readTree(text);
                if (BookReplica.isBook(node1)) {
                    assertThat(reconnects).as("no book message after the reconnect notice").isZero();
                    book.apply(node1); // asserts U = previous u + 1 and the checksum
                } else if ("ping".equals(node1.path("op").asText())) {
                    pings++;
                } else if ("reconnect".equals(node1.path("op").asText())) {
                    reconnects++;
                }
            }
            assertThat(book.u).as("every delta arrived, in order, before the close").isEqualTo(feed.u);
            assertThat(book.matches(feed.truth)).isTrue();
            assertThat(book.deltas).as("one frame per delta: nothing merged").isEqualTo(80);
            assertThat(pings).as("ping notices between the rounds").isPositive();
            assertThat(reconnects).isEqualTo(1);
        }
    }

    @Test
    void shouldSendEveryDeltaAsAFrameOfItsOwnThroughPermessageDeflate() throws Exception {
        EdgeNode node = node(EdgeConfig.defaults(0).toBuilder());
        BookFeed feed = new BookFeed(BTC, fixture.publisher, 22);
        feed.snapshot(40);
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.addExtensions("permessage-deflate");
        try (WsTestClient client = new WsTestClient(fixture.ws, node.port(), request)) {
            assertThat(client.session().getUpgradeResponse().getExtensions()).extracting(e -> e.getName())
                    .containsExactly("permessage-deflate");
            BookReplica book = new BookReplica(BTC, 0);
            client.subscribe("book.BTC-USD");
            book.apply(client.next(BookReplica::isBook));
            long mergedBefore = node.metrics().mergedDeltas();
            for (int round = 0; round < 5; round++) {
                CountDownLatch release = block(node.hub().fanout());
                for (int i = 0; i < 10; i++) {
                    feed.delta(4, 60);
                }
                await().pollInterval(Duration.ofMillis(5)).until(() -> node.hub().topic("book.BTC-USD").inboxed() == 10);
                release.countDown();
            }
            while (book.u < feed.u) {
                JsonNode message = client.next();
                if (BookReplica.isBook(message)) {
                    book.apply(message);
                }
            }
            assertThat(book.matches(feed.truth)).isTrue();
            assertThat(book.deltas).as("one message per delta, inflated right").isEqualTo(50);
            assertThat(node.metrics().mergedDeltas()).isEqualTo(mergedBefore);
        }
    }

    /** What Jetty's generator makes of these frames, one by one. */
    private static byte[] jettyEncoding(List<RawFrame> frames) {
        Generator generator = new Generator();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (RawFrame frame : frames) {
            ByteBuffer buffer = ByteBuffer.allocate(frame.payload().length + Generator.MAX_HEADER_LENGTH);
            BufferUtil.flipToFlush(buffer, 0);
            generator.generateWholeFrame(new Frame((byte) frame.opcode(), frame.fin(), ByteBuffer.wrap(frame.payload())),
                    buffer);
            out.writeBytes(BufferUtil.toArray(buffer));
        }
        return out.toByteArray();
    }

    /** Occupies every thread of the pool until the returned latch is counted down. */
    private static CountDownLatch block(ExecutorService pool) throws InterruptedException {
        int threads = ((ThreadPoolExecutor) pool).getMaximumPoolSize();
        CountDownLatch started = new CountDownLatch(threads);
        CountDownLatch release = new CountDownLatch(1);
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
}
