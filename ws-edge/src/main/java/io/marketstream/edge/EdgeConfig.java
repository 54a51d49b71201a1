package io.marketstream.edge;

import java.time.Duration;

/**
 * An edge node's settings.
 *
 * @param host              interface to listen on
 * @param port              HTTP/WebSocket port (0 picks a free one)
 * @param maxQueuedBytes    per-connection outbound queue limit; past it the client is closed with
 *                          close code 4008 (slow consumer)
 * @param maxSubscriptions  channels one connection may subscribe to
 * @param maxMessageBytes   largest inbound text message accepted (larger closes with 1009)
 * @param idleTimeout       a connection silent for this long is closed
 */
public record EdgeConfig(String host, int port, long maxQueuedBytes, int maxSubscriptions, long maxMessageBytes,
                         Duration idleTimeout) {

    public static EdgeConfig defaults(int port) {
        return new EdgeConfig("0.0.0.0", port, 4L * 1024 * 1024, 50, 16 * 1024, Duration.ofSeconds(60));
    }
}
