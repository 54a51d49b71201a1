package io.marketstream.edge;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An edge node's settings; every limit of {@code docs/protocol.md} is one of them. Build from
 * {@link #defaults(int)} and {@link #toBuilder()}.
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
 * @param socketSendBufferBytes    the kernel send buffer of each accepted socket (0: the system's default,
 *                                 which may grow to megabytes); smaller bounds kernel memory per connection and
 *                                 lets the node see a slow consumer sooner
 */
public record EdgeConfig(String host, int port, long lagQueuedBytes, long maxQueuedBytes, int maxConflatedLevels,
                         Duration slowConsumerTimeout, int maxSubscriptions, long maxMessageBytes,
                         int maxMessagesPerSecond, int maxConnectionsPerIp, int maxConnectionsPerAccount,
                         List<String> allowedOrigins, Duration pingInterval, Duration pongTimeout, String jwtSecret,
                         boolean permessageDeflate, Duration drainGrace, int socketSendBufferBytes) {

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
                Duration.ofSeconds(5), 0);
    }

    /** The idle timeout handed to Jetty: a backstop well past the heartbeat. */
    Duration jettyIdleTimeout() {
        return pingInterval.plus(pongTimeout).multipliedBy(2);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes some settings of a config, keeping the others. */
    public static final class Builder {
        private String host;
        private int port;
        private long lagQueuedBytes;
        private long maxQueuedBytes;
        private int maxConflatedLevels;
        private Duration slowConsumerTimeout;
        private int maxSubscriptions;
        private long maxMessageBytes;
        private int maxMessagesPerSecond;
        private int maxConnectionsPerIp;
        private int maxConnectionsPerAccount;
        private List<String> allowedOrigins;
        private Duration pingInterval;
        private Duration pongTimeout;
        private String jwtSecret;
        private boolean permessageDeflate;
        private Duration drainGrace;
        private int socketSendBufferBytes;

        private Builder(EdgeConfig c) {
            host = c.host;
            port = c.port;
            lagQueuedBytes = c.lagQueuedBytes;
            maxQueuedBytes = c.maxQueuedBytes;
            maxConflatedLevels = c.maxConflatedLevels;
            slowConsumerTimeout = c.slowConsumerTimeout;
            maxSubscriptions = c.maxSubscriptions;
            maxMessageBytes = c.maxMessageBytes;
            maxMessagesPerSecond = c.maxMessagesPerSecond;
            maxConnectionsPerIp = c.maxConnectionsPerIp;
            maxConnectionsPerAccount = c.maxConnectionsPerAccount;
            allowedOrigins = c.allowedOrigins;
            pingInterval = c.pingInterval;
            pongTimeout = c.pongTimeout;
            jwtSecret = c.jwtSecret;
            permessageDeflate = c.permessageDeflate;
            drainGrace = c.drainGrace;
            socketSendBufferBytes = c.socketSendBufferBytes;
        }

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder queueLimits(long lag, long max) { lagQueuedBytes = lag; maxQueuedBytes = max; return this; }
        public Builder maxConflatedLevels(int v) { maxConflatedLevels = v; return this; }
        public Builder slowConsumerTimeout(Duration v) { slowConsumerTimeout = v; return this; }
        public Builder maxSubscriptions(int v) { maxSubscriptions = v; return this; }
        public Builder maxMessageBytes(long v) { maxMessageBytes = v; return this; }
        public Builder maxMessagesPerSecond(int v) { maxMessagesPerSecond = v; return this; }
        public Builder maxConnectionsPerIp(int v) { maxConnectionsPerIp = v; return this; }
        public Builder maxConnectionsPerAccount(int v) { maxConnectionsPerAccount = v; return this; }
        public Builder allowedOrigins(List<String> v) { allowedOrigins = v; return this; }
        public Builder heartbeat(Duration ping, Duration pong) { pingInterval = ping; pongTimeout = pong; return this; }
        public Builder jwtSecret(String v) { jwtSecret = v; return this; }
        public Builder permessageDeflate(boolean v) { permessageDeflate = v; return this; }
        public Builder drainGrace(Duration v) { drainGrace = v; return this; }
        public Builder socketSendBufferBytes(int v) { socketSendBufferBytes = v; return this; }

        public EdgeConfig build() {
            return new EdgeConfig(host, port, lagQueuedBytes, maxQueuedBytes, maxConflatedLevels, slowConsumerTimeout,
                    maxSubscriptions, maxMessageBytes, maxMessagesPerSecond, maxConnectionsPerIp, maxConnectionsPerAccount,
                    allowedOrigins, pingInterval, pongTimeout, jwtSecret, permessageDeflate, drainGrace,
                    socketSendBufferBytes);
        }
    }
}
