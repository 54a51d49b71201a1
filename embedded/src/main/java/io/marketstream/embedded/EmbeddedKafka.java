package io.marketstream.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Kafka broker in KRaft mode (combined broker and controller, a {@link KafkaNode}),
 * running inside this JVM from the official Kafka artifacts. It listens on a free loopback port, keeps its data in
 * a temporary directory that {@link #close()} deletes, and is ready to take requests when
 * {@link #start} returns.
 *
 * <p>Start-up is bounded: if the broker does not answer a cluster description within the given
 * time, {@link #start} stops what it started and throws an {@link IllegalStateException} that says
 * so; it never hangs.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int BIND_ATTEMPTS = 3;

    private final KafkaNode node;
    private final Path dataDir;
    private final String bootstrapServers;
    private boolean closed;

    private EmbeddedKafka(KafkaNode node, Path dataDir, String bootstrapServers) {
        this.node = node;
        this.dataDir = dataDir;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker with defaults fit for tests and the demo, ready within 60 s or failing. */
    public static EmbeddedKafka start() {
        return start(Duration.ofSeconds(60), Map.of());
    }

    /**
     * Starts a broker.
     *
     * @param readyTimeout how long to wait for the broker to answer before giving up
     * @param overrides    broker settings that replace the defaults (e.g. {@code num.partitions})
     */
    public static EmbeddedKafka start(Duration readyTimeout, Map<String, String> overrides) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            Path dir = createDataDir();
            int brokerPort = FreePorts.pick();
            int controllerPort = FreePorts.pick();
            KafkaNode node = null;
            try {
                node = KafkaNode.start(new KafkaNode.Settings(1, "127.0.0.1", "127.0.0.1", brokerPort, controllerPort,
                        "1@127.0.0.1:" + controllerPort, dir.resolve("log"), Uuid.randomUuid().toString(), 1, overrides));
                String bootstrap = node.settings().bootstrap();
                EmbeddedKafka kafka = new EmbeddedKafka(node, dir, bootstrap);
                kafka.awaitReady(readyTimeout);
                log.info("Embedded Kafka (KRaft) ready at {} with data in {}", bootstrap, dir);
                return kafka;
            } catch (RuntimeException e) {
                last = e;
                log.warn("Embedded Kafka failed to start (attempt {} of {})", attempt, BIND_ATTEMPTS, e);
                if (node != null) {
                    node.close();
                }
                deleteRecursively(dir);
            }
        }
        throw new IllegalStateException("Embedded Kafka did not start after " + BIND_ATTEMPTS + " attempts", last);
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for Kafka", e);
                    }
                    if (System.nanoTime() > deadline) {
                        close();
                        throw new IllegalStateException("Embedded Kafka at " + bootstrapServers
                                + " did not become ready within " + timeout.toSeconds() + " s", e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    close();
                    throw new IllegalStateException("Embedded Kafka at " + bootstrapServers
                            + " reported no broker within " + timeout.toSeconds() + " s");
                }
            }
        }
    }

    private static Path createDataDir() {
        try {
            return Files.createTempDirectory("marketstream-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary directory for Kafka", e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete {}", dir, e);
        }
    }

    /** Stops the broker and deletes its data. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        node.close();
        deleteRecursively(dataDir);
        log.info("Embedded Kafka at {} stopped", bootstrapServers);
    }
}
