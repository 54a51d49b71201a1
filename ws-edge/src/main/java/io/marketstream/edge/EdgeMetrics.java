package io.marketstream.edge;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The node's meters (Micrometer, scraped at {@code /metrics} in Prometheus format). Names and tags are
 * listed in {@code docs/protocol.md}. Thread-safe.
 */
final class EdgeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<String, AtomicInteger> subscriptions = new ConcurrentHashMap<>();
    /** Messages sent by channel type: counted on every send of every subscriber, so plain adders. */
    private final Map<String, LongAdder> messages = new ConcurrentHashMap<>();
    private final LongAdder bytes = new LongAdder();
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final Map<Integer, Counter> closes = new ConcurrentHashMap<>();
    private final Counter conflations;
    private final Counter resyncs;
    private final Counter gaps;
    private final Counter merged;
    private final Timer eventToSend;

    EdgeMetrics() {
        Gauge.builder("marketstream.edge.connections", connections, AtomicInteger::get)
                .description("open WebSocket connections").register(registry);
        FunctionCounter.builder("marketstream.edge.sent", bytes, LongAdder::sum).baseUnit("bytes")
                .description("payload bytes handed to connections").register(registry);
        for (String type : new String[] {"book", "trades", "ticker", "kline", "orders", "balances", "replay", "control"}) {
            adder(type);
            if (!type.equals("control")) {
                subscribed(type, 0);
            }
        }
        conflations = Counter.builder("marketstream.edge.conflations")
                .description("book messages merged into a lagging subscriber's next message").register(registry);
        resyncs = Counter.builder("marketstream.edge.resyncs")
                .description("snapshots sent unasked (slow consumer, upstream gap, expired history)").register(registry);
        gaps = Counter.builder("marketstream.edge.gaps")
                .description("gap notices sent (trades left out for a lagging client, expired history)").register(registry);
        merged = Counter.builder("marketstream.edge.merged.deltas")
                .description("upstream book deltas merged into the next one because the node was behind the publisher")
                .register(registry);
        eventToSend = Timer.builder("marketstream.edge.event.to.send")
                .description("from the engine's timestamp of a message's last event to the node handing it to its subscribers")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    void connectionOpened() {
        connections.incrementAndGet();
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }

    int connections() {
        return connections.get();
    }

    /** @param type the channel kind: book, trades, ticker, kline, orders, balances */
    void subscribed(String type, int delta) {
        subscriptions.computeIfAbsent(type, t -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder("marketstream.edge.subscriptions", count, AtomicInteger::get).tag("type", t)
                    .description("channel subscriptions of connections, by channel type").register(registry);
            return count;
        }).addAndGet(delta);
    }

    void sent(String type, int size) {
        LongAdder count = messages.get(type);
        (count == null ? adder(type) : count).increment();
        bytes.add(size);
    }

    private LongAdder adder(String type) {
        return messages.computeIfAbsent(type, t -> {
            LongAdder count = new LongAdder();
            FunctionCounter.builder("marketstream.edge.messages.sent", count, LongAdder::sum).tag("type", t)
                    .description("messages handed to connections, by channel type (replies and notices are 'control')")
                    .register(registry);
            return count;
        });
    }

    void rejected(String reason) {
        rejected.computeIfAbsent(reason, r -> Counter.builder("marketstream.edge.requests.rejected").tag("reason", r)
                .description("requests answered with an error or connections refused, by reason").register(registry))
                .increment();
    }

    /** A connection the node closed, by close code (4008 slow consumer, 4001 heartbeat, 1008 policy, ...). */
    void closedByNode(int code) {
        closes.computeIfAbsent(code, c -> Counter.builder("marketstream.edge.closes").tag("code", Integer.toString(c))
                .description("connections closed by the node, by close code").register(registry)).increment();
    }

    void conflated() {
        conflations.increment();
    }

    void resynced() {
        resyncs.increment();
    }

    /** @param deltas upstream deltas folded into a following one (a merge of n deltas counts n - 1) */
    void merged(int deltas) {
        merged.increment(deltas);
    }

    long mergedDeltas() {
        return (long) merged.count();
    }

    void gap() {
        gaps.increment();
    }

    /** @param eventMillis the engine timestamp carried by the message ({@code ts}), epoch ms; 0 if none */
    void fannedOut(long eventMillis) {
        if (eventMillis > 0) {
            long age = System.currentTimeMillis() - eventMillis;
            if (age >= 0) {
                eventToSend.record(age, TimeUnit.MILLISECONDS);
            }
        }
    }
}
