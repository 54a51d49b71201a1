package io.marketstream.embedded;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Kafka broker in KRaft mode (combined broker and controller), running inside
 * this JVM from the official Kafka artifacts. It listens on a free loopback port, keeps its data in
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

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final String bootstrapServers;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, String bootstrapServers) {
        this.server = server;
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
            KafkaRaftServer server = null;
            try {
                Properties props = brokerProperties(dir, brokerPort, controllerPort, overrides);
                format(props, dir);
                server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
                server.startup();
                String bootstrap = "127.0.0.1:" + brokerPort;
                EmbeddedKafka kafka = new EmbeddedKafka(server, dir, bootstrap);
                kafka.awaitReady(readyTimeout);
                log.info("Embedded Kafka (KRaft) ready at {} with data in {}", bootstrap, dir);
                return kafka;
            } catch (RuntimeException e) {
                last = e;
                log.warn("Embedded Kafka failed to start (attempt {} of {})", attempt, BIND_ATTEMPTS, e);
                if (server != null) {
                    shutdownQuietly(server);
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

    private static Properties brokerProperties(Path dir, int brokerPort, int controllerPort,
                                               Map<String, String> overrides) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.resolve("log").toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        p.putAll(overrides);
        return p;
    }

    private static void format(Properties props, Path dir) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(props.getProperty("log.dirs"))
                    .setMetadataLogDirectory(props.getProperty("log.dirs"))
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("could not format Kafka storage in " + dir, e);
        }
    }

    private static Path createDataDir() {
        try {
            return Files.createTempDirectory("marketstream-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary directory for Kafka", e);
        }
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Embedded Kafka did not shut down cleanly", e);
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
        shutdownQuietly(server);
        deleteRecursively(dataDir);
        log.info("Embedded Kafka at {} stopped", bootstrapServers);
    }
}
