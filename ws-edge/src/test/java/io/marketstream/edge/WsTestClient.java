package io.marketstream.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

import io.marketstream.protocol.Json;

/**
 * A real WebSocket client for the tests: records every text message and the close, and reads with
 * explicit demand so that a test can stop reading (a slow consumer) and start again.
 */
final class WsTestClient implements AutoCloseable {
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    volatile String closeReason;
    private volatile boolean reading = true;
    private final Session session;
    private long nextId = 100;

    /** Public for Jetty's reflective invocation. */
    public final class Endpoint implements Session.Listener {
        private Session session;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            session.demand();
        }

        @Override
        public void onWebSocketText(String message) {
            received.add(message);
            if (reading) {
                session.demand();
            }
        }

        @Override
        public void onWebSocketPing(ByteBuffer payload) {
            pingFrames.incrementAndGet();
            session.sendPong(payload, Callback.NOOP);
            session.demand();
        }

        @Override
        public void onWebSocketPong(ByteBuffer payload) {
            pongFrames.incrementAndGet();
            session.demand();
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closeReason = reason;
            closeCode.complete(statusCode);
        }
    }

    private final Endpoint endpoint = new Endpoint();
    /** PONG frames received. */
    final java.util.concurrent.atomic.AtomicInteger pongFrames = new java.util.concurrent.atomic.AtomicInteger();
    /** PING frames received (each answered with a PONG). */
    final java.util.concurrent.atomic.AtomicInteger pingFrames = new java.util.concurrent.atomic.AtomicInteger();

    WsTestClient(WebSocketClient client, int port) throws Exception {
        this(client, port, new ClientUpgradeRequest());
    }

    WsTestClient(WebSocketClient client, int port, ClientUpgradeRequest request) throws Exception {
        this.session = client.connect(endpoint, URI.create("ws://127.0.0.1:" + port + "/ws"), request)
                .get(10, TimeUnit.SECONDS);
    }

    Session session() {
        return session;
    }

    void send(String text) {
        session.sendText(text, Callback.NOOP);
    }

    long request(String op, String fields) {
        long id = nextId++;
        send("{\"op\":\"" + op + "\",\"id\":" + id + (fields.isEmpty() ? "" : "," + fields) + "}");
        return id;
    }

    /** Subscribes and returns the reply. */
    JsonNode subscribe(String... channels) throws InterruptedException {
        long id = request("subscribe", "\"ch\":" + Json.write(List.of(channels)));
        return replyTo(id);
    }

    /** The reply with this id (messages before it stay queued? no: they are kept in order for next()). */
    JsonNode replyTo(long id) throws InterruptedException {
        List<String> skipped = new ArrayList<>();
        try {
            while (true) {
                JsonNode message = next();
                if (message.has("id") && message.get("id").asLong() == id && message.has("op")) {
                    return message;
                }
                skipped.add(Json.write(message));
            }
        } finally {
            // keep the messages that arrived before the reply, in order, ahead of the rest
            List<String> rest = new ArrayList<>();
            received.drainTo(rest);
            received.addAll(skipped);
            received.addAll(rest);
        }
    }

    /** The text of the message {@link #next()} returned last, as it came. */
    volatile String lastText;

    /** The next message (within 10 s). */
    JsonNode next() throws InterruptedException {
        String message = received.poll(10, TimeUnit.SECONDS);
        assertThat(message).as("a message within 10 s").isNotNull();
        lastText = message;
        return Json.mapper().valueToTree(Json.read(message, Object.class));
    }

    /** The next message that matches (others are dropped). */
    JsonNode next(Predicate<JsonNode> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            JsonNode message = next();
            if (wanted.test(message)) {
                return message;
            }
        }
        throw new AssertionError("no matching message within 15 s");
    }

    /** The next message if one arrives within the time, else null. */
    JsonNode poll(Duration within) throws InterruptedException {
        String message = received.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        return message == null ? null : Json.mapper().valueToTree(Json.read(message, Object.class));
    }

    int queued() {
        return received.size();
    }

    /** Stops reading from the socket (the node's writes back up into its queue). */
    void pause() {
        reading = false;
    }

    /** Reads again. */
    void resume() {
        reading = true;
        endpoint.session.demand();
    }

    int awaitClose() throws Exception {
        return closeCode.get(15, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (session.isOpen()) {
            session.close();
        }
    }
}
