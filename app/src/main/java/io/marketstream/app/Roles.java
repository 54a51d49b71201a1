package io.marketstream.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Metrics;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.edge.EdgeConfig;
import io.marketstream.edge.EdgeNode;
import io.marketstream.engine.EngineService;
import io.marketstream.engine.MatchingEngine;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.redis.RedisClients;
import io.marketstream.redis.RedisMarketDataPublisher;
import io.marketstream.streams.RedisMarketDataSink;
import io.marketstream.streams.StreamsService;

/**
 * Starts the roles against a Kafka and a Redis, and stops whatever it started in reverse order.
 * The subcommands, the demo and the end-to-end tests all start roles through here, so they run
 * the same code.
 */
final class Roles implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Roles.class);

    private final String bootstrap;
    private final String redisUri;
    private final MarketCatalog catalog;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final java.util.List<EdgeNode> edges = new java.util.ArrayList<>();
    /** What {@link #ready()} asks: one check per role started. */
    private final java.util.List<java.util.function.BooleanSupplier> readiness = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int partitions = 2;
    private short replicationFactor = 1;
    private MetricsServer metrics;

    /** @param bootstrap Kafka, or null for roles that do not use it; @param redisUri likewise for Redis */
    Roles(String bootstrap, String redisUri, MarketCatalog catalog) {
        this.bootstrap = bootstrap;
        this.redisUri = redisUri;
        this.catalog = catalog;
    }

    /** How the engine and the streams job create missing topics (default: 2 partitions, 1 replica, the demo's). */
    Roles topics(int partitions, int replicationFactor) {
        this.partitions = partitions;
        this.replicationFactor = (short) replicationFactor;
        return this;
    }

    /** Serves /metrics, /healthz and /readyz for the roles started here (call before starting them). */
    MetricsServer serveMetrics(int port) {
        metrics = MetricsServer.start(port, this::ready);
        started.push(metrics);
        return metrics;
    }

    /** Whether every role started here is ready: the engine caught up, the streams job running. */
    boolean ready() {
        return !readiness.isEmpty() && readiness.stream().allMatch(java.util.function.BooleanSupplier::getAsBoolean);
    }

    EngineService engine() {
        return engine(null, 50_000, Duration.ofSeconds(30));
    }

    /** @param instanceId a stable instance name for static group membership, or null */
    EngineService engine(String instanceId, long snapshotEvery, Duration snapshotInterval) {
        KafkaTopicsSetup.ensure(bootstrap, partitions, replicationFactor);
        Map<String, Object> consumer = instanceId == null ? Map.of() : Map.of("group.instance.id", instanceId);
        EngineService engine = new EngineService(new MatchingEngine(catalog), bootstrap, "marketstream-engine",
                snapshotEvery, snapshotInterval, Metrics.globalRegistry, consumer, Map.of());
        Thread thread = new Thread(engine, "engine");
        thread.start();
        started.push(engine);
        readiness.add(engine::isCaughtUp);
        return engine;
    }

    StreamsService streams(Path stateDir) {
        KafkaTopicsSetup.ensure(bootstrap, partitions, replicationFactor);
        RedisClient client = RedisClients.create(redisUri);
        started.push(client::shutdown);
        RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
        started.push(publisher);
        StreamsService streams = new StreamsService(catalog, new RedisMarketDataSink(publisher), bootstrap,
                "marketstream-streams", stateDir);
        if (metrics != null) {
            streams.bindMetrics(Metrics.globalRegistry);
        }
        streams.start();
        started.push(streams);
        readiness.add(() -> streams.state() == KafkaStreams.State.RUNNING);
        return streams;
    }

    StreamsService streams() {
        try {
            Path dir = Files.createTempDirectory("marketstream-streams-");
            return streams(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a Kafka Streams state directory", e);
        }
    }

    EdgeNode edge(EdgeConfig config) {
        EdgeNode edge = new EdgeNode(config, catalog, redisUri).start();
        started.push(edge);
        edges.add(edge);
        readiness.add(edge::isAccepting);
        return edge;
    }

    SimulatedTraders traders(double commandsPerSecond) {
        SimulatedTraders traders = new SimulatedTraders(bootstrap, catalog.all(), commandsPerSecond);
        Thread thread = new Thread(traders::run, "simulated-traders");
        thread.setDaemon(true);
        thread.start();
        started.push(traders);
        FunctionCounter.builder("marketstream.traders.commands.sent", traders, SimulatedTraders::commandsSent)
                .description("commands the simulated traders handed to the Kafka producer").register(Metrics.globalRegistry);
        readiness.add(() -> true);
        return traders;
    }

    /** Graceful shutdown of the edges: clients are told to reconnect elsewhere, then closed with 1012. */
    void drainEdges() {
        edges.forEach(EdgeNode::drain);
    }

    /** Registers something else to close with the roles (e.g. embedded infrastructure, closed last). */
    void closeLast(AutoCloseable resource) {
        started.addLast(resource);
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable next = started.pop();
            try {
                next.close();
            } catch (Exception e) {
                log.warn("Stopping {} failed", next, e);
            }
        }
    }
}
