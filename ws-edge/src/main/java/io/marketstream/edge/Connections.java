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
 * connection over its address's cap is closed at once (1008); an account over its cap loses its oldest
 * connection (4005).
 */
final class Connections {
    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    private final java.util.concurrent.Executor executor;
    private final Set<Connection> all = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
    private final Map<Long, Deque<Connection>> perAccount = new ConcurrentHashMap<>();
    private final Map<Connection, Long> accountOf = new ConcurrentHashMap<>();

    Connections(EdgeConfig config, EdgeMetrics metrics, java.util.concurrent.Executor executor) {
        this.config = config;
        this.metrics = metrics;
        this.executor = executor;
    }

    void opened(Connection connection) {
        all.add(connection);
        metrics.connectionOpened();
        int count = perAddress.merge(connection.remoteAddress(), 1, Integer::sum);
        if (count > config.maxConnectionsPerIp()) {
            metrics.rejected("connections_per_ip");
            // closed once the open has completed (a close from inside it is not sent)
            executor.execute(() -> connection.close(WsErrors.CLOSE_POLICY, "too many connections from " + connection.remoteAddress()
                    + " (at most " + config.maxConnectionsPerIp() + ")"));
        }
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
        if (!all.remove(connection)) {
            return;
        }
        metrics.connectionClosed();
        perAddress.computeIfPresent(connection.remoteAddress(), (a, n) -> n <= 1 ? null : n - 1);
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
