package io.marketstream.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import io.marketstream.protocol.Json;

/** A real WebSocket client (the JDK's) that queues each text message with the time it arrived. */
final class TextWebSocket implements AutoCloseable {
    /** A message and {@link System#nanoTime()} at its arrival. */
    record Received(JsonNode json, long nanos) {
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final WebSocket socket;

    TextWebSocket(int port) throws Exception {
        socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            received.add(new Received(Json.mapper().valueToTree(Json.read(partial.toString(), Object.class)),
                                    System.nanoTime()));
                            partial.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    /** The next message, or an assertion failure after {@code within}. */
    Received next(Duration within) throws InterruptedException {
        Received message = received.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("no message within " + within);
        }
        return message;
    }

    @Override
    public void close() {
        socket.abort();
    }
}
