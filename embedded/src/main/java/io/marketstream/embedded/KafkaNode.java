package io.marketstream.embedded;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka node in KRaft mode, broker and controller in one process, from the official Kafka
 * artifacts: the single broker of {@link EmbeddedKafka}, or one of the voters of a small cluster
 * whose nodes run as separate processes ({@code app kafka}, the local cluster, the compose stack).
 *
 * <p>The log directory is formatted on first start (with the given cluster id) and reused as it is
 * afterwards, so a node that is killed and started again keeps its data and rejoins its cluster.
 * Replication settings follow {@link Settings#replicationFactor()}: the internal topics (consumer
 * offsets, transaction state) and new topics get that many replicas and
 * {@link #minInsyncReplicas(int)} in-sync replicas, so with three nodes an acknowledged write
 * survives the loss of any one of them.
 *
 * <p>The settings are sized for a laptop or a CI machine (two network and I/O threads, a small
 * cleaner buffer); {@link Settings#overrides()} replaces any of them.
 */
public final class KafkaNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaNode.class);
    /** The listener name of the controller quorum. */
    public static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final KafkaRaftServer server;
    private final Settings settings;
    private boolean closed;

    /**
     * What a node needs to know.
     *
     * @param nodeId            this node's id, one of the voters
     * @param listenHost        the address the listeners bind (127.0.0.1 on a laptop, 0.0.0.0 in a container)
     * @param advertisedHost    the address clients and the other nodes use to reach this node
     * @param port              the client (PLAINTEXT) port
     * @param controllerPort    the controller quorum port
     * @param voters            the quorum, {@code id@host:controllerPort} comma-separated, this node included
     * @param logDir            where the node keeps its logs and metadata
     * @param clusterId         the cluster's id (a Kafka base64 UUID), the same on every node
     * @param replicationFactor replicas of the internal topics and of topics created without a count
     * @param overrides         broker settings that replace the ones derived here
     */
    public record Settings(int nodeId, String listenHost, String advertisedHost, int port, int controllerPort,
                           String voters, Path logDir, String clusterId, int replicationFactor,
                           Map<String, String> overrides) {
        public Settings {
            Objects.requireNonNull(listenHost, "listenHost");
            Objects.requireNonNull(advertisedHost, "advertisedHost");
            Objects.requireNonNull(voters, "voters");
            Objects.requireNonNull(logDir, "logDir");
            Objects.requireNonNull(clusterId, "clusterId");
            overrides = Map.copyOf(overrides);
            if (nodeId < 0) {
                throw new IllegalArgumentException("node id must not be negative: " + nodeId);
            }
            if (replicationFactor < 1) {
                throw new IllegalArgumentException("replication factor must be at least 1: " + replicationFactor);
            }
            if (!voters.matches("\\d+@[^:,@\\s]+:\\d+(,\\d+@[^:,@\\s]+:\\d+)*")) {
                throw new IllegalArgumentException("voters must be id@host:port, comma-separated: " + voters);
            }
            if (!(("," + voters).contains("," + nodeId + "@"))) {
                throw new IllegalArgumentException("node " + nodeId + " is not among the voters " + voters);
            }
            try {
                Uuid.fromString(clusterId);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cluster id must be a Kafka UUID (22 base64 characters, "
                        + "e.g. from 'kafka-storage random-uuid'): " + clusterId, e);
            }
        }

        /** The {@code host:port} clients use. */
        public String bootstrap() {
            return advertisedHost + ":" + port;
        }
    }

    private KafkaNode(KafkaRaftServer server, Settings settings) {
        this.server = server;
        this.settings = settings;
    }

    /**
     * The in-sync replicas a write needs before it is acknowledged ({@code acks=all}): a majority of
     * the replicas, but one for a factor of two or less, so that two replicas still take writes with one
     * of them down (and lose nothing acknowledged only if the other comes back).
     */
    public static int minInsyncReplicas(int replicationFactor) {
        return replicationFactor <= 2 ? 1 : replicationFactor / 2 + 1;
    }

    /**
     * Formats the log directory if it is new, then starts the node. Returns once the node has started;
     * in a cluster it serves clients only once a quorum of voters is up (wait for that with an admin
     * client, as {@link EmbeddedKafka} does).
     */
    public static KafkaNode start(Settings settings) {
        Properties props = properties(settings);
        format(settings);
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(server);
            throw e;
        }
        log.info("Kafka node {} started: clients at {}, voters {}, data in {}", settings.nodeId(), settings.bootstrap(),
                settings.voters(), settings.logDir());
        return new KafkaNode(server, settings);
    }

    /** The broker configuration of a node (what {@link #start} runs with). */
    static Properties properties(Settings s) {
        int rf = s.replicationFactor();
        String minIsr = String.valueOf(minInsyncReplicas(rf));
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(s.nodeId()));
        p.put("controller.quorum.voters", s.voters());
        p.put("listeners", "PLAINTEXT://" + s.listenHost() + ":" + s.port() + "," + CONTROLLER_LISTENER + "://"
                + s.listenHost() + ":" + s.controllerPort());
        p.put("advertised.listeners", "PLAINTEXT://" + s.advertisedHost() + ":" + s.port());
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", s.logDir().toString());
        p.put("default.replication.factor", String.valueOf(rf));
        p.put("min.insync.replicas", minIsr);
        p.put("unclean.leader.election.enable", "false");
        p.put("offsets.topic.replication.factor", String.valueOf(rf));
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", String.valueOf(rf));
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", String.valueOf(rf));
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        p.putAll(s.overrides());
        return p;
    }

    private static void format(Settings s) {
        try {
            Files.createDirectories(s.logDir());
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(s.nodeId())
                    .setClusterId(s.clusterId())
                    .addDirectory(s.logDir().toString())
                    .setMetadataLogDirectory(s.logDir().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    // a directory formatted before (a restart) is used as it is
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("could not format Kafka storage in " + s.logDir() + ": " + e.getMessage(), e);
        }
    }

    public Settings settings() {
        return settings;
    }

    /** Blocks until the node has shut down (after {@link #close()}, e.g. from a shutdown hook). */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Kafka node did not shut down cleanly", e);
        }
    }

    /** Stops the node (controlled shutdown: partitions move to the other nodes first); keeps its data. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdownQuietly(server);
        log.info("Kafka node {} stopped", settings.nodeId());
    }
}
