package io.marketstream.edge;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.marketstream.protocol.ws.WsErrors;

/**
 * The node's open connections, counted per remote address and per account, and the limits on them: a
 * handshake over its address's cap is refused (HTTP 429 with the reason); an account over its cap loses its
 * oldest connection (4005).
 */
final class Connections {
    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    private final Set<Connection> all = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
    private final Map<Long, Deque<Connection>> perAccount = new ConcurrentHashMap<>();
    private final Map<Connection, Long> accountOf = new ConcurrentHashMap<>();

    Connections(EdgeConfig config, EdgeMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Reserves a connection slot for a remote address at the handshake; false if the address is at its cap
     * (the handshake is then refused with 429 and the reason).
     */
    boolean reserve(String address) {
        int count = perAddress.merge(address, 1, Integer::sum);
        if (count > config.maxConnectionsPerIp()) {
            perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
            metrics.rejected("connections_per_ip");
            return false;
        }
        return true;
    }

    /** Gives back a slot reserved for a handshake that did not become a connection. */
    void release(String address) {
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    void opened(Connection connection) {
        all.add(connection);
        metrics.connectionOpened();
    }

    void authenticated(Connection connection, long account) {
        Connection oldest = null;
        accountOf.put(connection, account);
        Deque<Connection> connections = perAccount.computeIfAbsent(account, a -> new ArrayDeque<>());
        synchronized (connections) {
            connections.addLast(connection);
            if (connections.size() > config.maxConnectionsPerAccount()) {
                oldest = connections.pollFirst();
            }
        }
        if (oldest != null) {
            metrics.rejected("connections_per_account");
            oldest.close(WsErrors.CLOSE_ACCOUNT_LIMIT, "account " + account + " has more than "
                    + config.maxConnectionsPerAccount() + " connections; this, its oldest, was closed");
        }
    }

    void closed(Connection connection) {
        if (all.remove(connection)) {
            metrics.connectionClosed();
        }
        release(connection.remoteAddress());
        Long account = accountOf.remove(connection);
        Deque<Connection> connections = account == null ? null : perAccount.get(account);
        if (connections != null) {
            synchronized (connections) {
                connections.remove(connection);
            }
        }
    }

    List<Connection> all() {
        return List.copyOf(all);
    }

    int size() {
        return all.size();
    }

    /** Heartbeats, slow consumers and token expiry; run by the node about once a second. */
    void sweep() {
        long nanos = System.nanoTime();
        long millis = System.currentTimeMillis();
        for (Connection connection : all) {
            connection.checkHeartbeat(nanos);
            connection.checkAuthExpiry(millis);
        }
    }
}
