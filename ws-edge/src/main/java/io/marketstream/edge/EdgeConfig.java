package io.marketstream.edge;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An edge node's settings; every limit of {@code docs/protocol.md} is one of them. Build from
 * {@link #defaults(int)} and the {@code with...} methods.
 *
 * @param host                     interface to listen on
 * @param port                     HTTP/WebSocket port (0 picks a free one)
 * @param lagQueuedBytes           a connection with more than this queued (sent to the socket, not yet
 *                                 written) is lagging: its book channels are conflated, its trades are left
 *                                 out with a gap notice, tickers and candles keep only their latest state
 * @param maxQueuedBytes           hard per-connection limit: a message that would take the queue past it
 *                                 closes the connection with 4008 (slow consumer)
 * @param maxConflatedLevels       a lagging book subscription that has gathered more changed levels than
 *                                 this is given a fresh snapshot instead ({@code resync}) once it catches up
 * @param slowConsumerTimeout      a connection lagging without a break for this long is closed with 4008
 * @param maxSubscriptions         channels one connection may subscribe to
 * @param maxMessageBytes          largest inbound text message (a larger one closes with 1009)
 * @param maxMessagesPerSecond     inbound requests per second per connection (bursts up to the same
 *                                 number); beyond it requests get {@code rate_limited}, and a connection
 *                                 that keeps sending past twice the rate is closed with 1008
 * @param maxConnectionsPerIp      connections from one remote address (more are closed with 1008)
 * @param maxConnectionsPerAccount authenticated connections per account (the oldest is closed with 4005)
 * @param allowedOrigins           {@code Origin} headers allowed at the handshake; empty allows any (and
 *                                 clients that send none, such as bots)
 * @param pingInterval             a connection silent this long is pinged
 * @param pongTimeout              a pinged connection silent this much longer is closed with 4001
 * @param jwtSecret                HMAC-SHA256 secret of the {@code auth} tokens; null disables private channels
 * @param permessageDeflate        whether the node accepts the permessage-deflate extension
 * @param drainGrace               time between the {@code reconnect} notice and the 1012 close on shutdown
 */
public record EdgeConfig(String host, int port, long lagQueuedBytes, long maxQueuedBytes, int maxConflatedLevels,
                         Duration slowConsumerTimeout, int maxSubscriptions, long maxMessageBytes,
                         int maxMessagesPerSecond, int maxConnectionsPerIp, int maxConnectionsPerAccount,
                         List<String> allowedOrigins, Duration pingInterval, Duration pongTimeout, String jwtSecret,
                         boolean permessageDeflate, Duration drainGrace) {

    public EdgeConfig {
        Objects.requireNonNull(host, "host");
        allowedOrigins = List.copyOf(allowedOrigins);
        if (lagQueuedBytes <= 0 || maxQueuedBytes < lagQueuedBytes) {
            throw new IllegalArgumentException("need 0 < lagQueuedBytes <= maxQueuedBytes, got " + lagQueuedBytes
                    + " and " + maxQueuedBytes);
        }
        if (maxSubscriptions < 1 || maxMessagesPerSecond < 1 || maxConnectionsPerIp < 1 || maxConnectionsPerAccount < 1
                || maxConflatedLevels < 1) {
            throw new IllegalArgumentException("limits must be at least 1");
        }
        if (jwtSecret != null && jwtSecret.length() < 32) {
            throw new IllegalArgumentException("the JWT secret must be at least 32 characters (256 bits for HS256)");
        }
    }

    public static EdgeConfig defaults(int port) {
        return new EdgeConfig("0.0.0.0", port, 256 * 1024, 8L * 1024 * 1024, 2_000, Duration.ofSeconds(30), 50,
                16 * 1024, 50, 200, 10, List.of(), Duration.ofSeconds(20), Duration.ofSeconds(10), null, true,
                Duration.ofSeconds(5));
    }

    /** The idle timeout handed to Jetty: a backstop well past the heartbeat. */
    Duration jettyIdleTimeout() {
        return pingInterval.plus(pongTimeout).multipliedBy(2);
    }

    public EdgeConfig withHost(String v) {
        return new EdgeConfig(v, port, lagQueuedBytes, maxQueuedBytes, maxConflatedLevels, slowConsumerTimeout,
                maxSubscriptions, maxMessageBytes, maxMessagesPerSecond, maxConnectionsPerIp, maxConnectionsPerAccount,
                allowedOrigins, pingInterval, pongTimeout, jwtSecret, permessageDeflate, drainGrace);
    }

    public EdgeConfig withQueueLimits(long lag, long max, int conflatedLevels, Duration slowTimeout) {
        return new EdgeConfig(host, port, lag, max, conflatedLevels, slowTimeout, maxSubscriptions, maxMessageBytes,
                maxMessagesPerSecond, maxConnectionsPerIp, maxConnectionsPerAccount, allowedOrigins, pingInterval,
                pongTimeout, jwtSecret, permessageDeflate, drainGrace);
    }

    public EdgeConfig withRequestLimits(int subscriptions, long messageBytes, int messagesPerSecond) {
        return new EdgeConfig(host, port, lagQueuedBytes, maxQueuedBytes, maxConflatedLevels, slowConsumerTimeout,
                subscriptions, messageBytes, messagesPerSecond, maxConnectionsPerIp, maxConnectionsPerAccount,
                allowedOrigins, pingInterval, pongTimeout, jwtSecret, permessageDeflate, drainGrace);
    }

    public EdgeConfig withConnectionLimits(int perIp, int perAccount) {
        return new EdgeConfig(host, port, lagQueuedBytes, maxQueuedBytes, maxConflatedLevels, slowConsumerTimeout,
                maxSubscriptions, maxMessageBytes, maxMessagesPerSecond, perIp, perAccount, allowedOrigins,
                pingInterval, pongTimeout, jwtSecret, permessageDeflate, drainGrace);
    }

    public EdgeConfig withAllowedOrigins(List<String> origins) {
        return new EdgeConfig(host, port, lagQueuedBytes, maxQueuedBytes, maxConflatedLevels, slowConsumerTimeout,
                maxSubscriptions, maxMessageBytes, maxMessagesPerSecond, maxConnectionsPerIp, maxConnectionsPerAccount,
                origins, pingInterval, pongTimeout, jwtSecret, permessageDeflate, drainGrace);
    }

    public EdgeConfig withHeartbeat(Duration ping, Duration pong) {
        return new EdgeConfig(host, port, lagQueuedBytes, maxQueuedBytes, maxConflatedLevels, slowConsumerTimeout,
                maxSubscriptions, maxMessageBytes, maxMessagesPerSecond, maxConnectionsPerIp, maxConnectionsPerAccount,
                allowedOrigins, ping, pong, jwtSecret, permessageDeflate, drainGrace);
    }

    public EdgeConfig withJwtSecret(String secret) {
        return new EdgeConfig(host, port, lagQueuedBytes, maxQueuedBytes, maxConflatedLevels, slowConsumerTimeout,
                maxSubscriptions, maxMessageBytes, maxMessagesPerSecond, maxConnectionsPerIp, maxConnectionsPerAccount,
                allowedOrigins, pingInterval, pongTimeout, secret, permessageDeflate, drainGrace);
    }

    public EdgeConfig withPermessageDeflate(boolean enabled) {
        return new EdgeConfig(host, port, lagQueuedBytes, maxQueuedBytes, maxConflatedLevels, slowConsumerTimeout,
                maxSubscriptions, maxMessageBytes, maxMessagesPerSecond, maxConnectionsPerIp, maxConnectionsPerAccount,
                allowedOrigins, pingInterval, pongTimeout, jwtSecret, enabled, drainGrace);
    }

    public EdgeConfig withDrainGrace(Duration grace) {
        return new EdgeConfig(host, port, lagQueuedBytes, maxQueuedBytes, maxConflatedLevels, slowConsumerTimeout,
                maxSubscriptions, maxMessageBytes, maxMessagesPerSecond, maxConnectionsPerIp, maxConnectionsPerAccount,
                allowedOrigins, pingInterval, pongTimeout, jwtSecret, permessageDeflate, grace);
    }
}
