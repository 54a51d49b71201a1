package io.marketstream.app;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.marketstream.embedded.KafkaNode;

/**
 * {@code app kafka}: one Kafka node (KRaft, broker and controller in one process) of a cluster whose
 * nodes run as separate processes, from the official Kafka artifacts. The local cluster and the
 * compose stack run three of these; a production deployment may use them or any Kafka 3.7+ cluster.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true, description = "One Kafka node (KRaft broker and controller) of a cluster of such processes.")
final class KafkaCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(KafkaCommand.class);
    /** The cluster id every node of the local cluster and the compose stack shares ("marketstream-kfk"). */
    static final String DEFAULT_CLUSTER_ID = "bWFya2V0c3RyZWFtLWtmaw";
    /** {@code kafka.server:type=KafkaServer,name=BrokerState} while the broker serves. */
    private static final int RUNNING = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    MetricsOptions metrics = new MetricsOptions();

    @Option(names = "--node-id", defaultValue = "${env:MARKETSTREAM_KAFKA_NODE_ID:-1}",
            description = "This node's id, one of the voters (env MARKETSTREAM_KAFKA_NODE_ID; default ${DEFAULT-VALUE}).")
    int nodeId;

    @Option(names = "--listen-host", defaultValue = "${env:MARKETSTREAM_KAFKA_LISTEN_HOST:-127.0.0.1}",
            description = "Address the client and controller listeners bind; 0.0.0.0 in a container "
                    + "(env MARKETSTREAM_KAFKA_LISTEN_HOST; default ${DEFAULT-VALUE}).")
    String listenHost;

    @Option(names = "--advertised-host", defaultValue = "${env:MARKETSTREAM_KAFKA_ADVERTISED_HOST:-127.0.0.1}",
            description = "Address clients and the other nodes reach this node at "
                    + "(env MARKETSTREAM_KAFKA_ADVERTISED_HOST; default ${DEFAULT-VALUE}).")
    String advertisedHost;

    @Option(names = "--port", defaultValue = "${env:MARKETSTREAM_KAFKA_PORT:-9092}",
            description = "Client port (env MARKETSTREAM_KAFKA_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", defaultValue = "${env:MARKETSTREAM_KAFKA_CONTROLLER_PORT:-9093}",
            description = "Controller quorum port (env MARKETSTREAM_KAFKA_CONTROLLER_PORT; default ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--voters", defaultValue = "${env:MARKETSTREAM_KAFKA_VOTERS}",
            description = "The controller quorum, id@host:controller-port comma-separated, the same on every node "
                    + "(env MARKETSTREAM_KAFKA_VOTERS; default: this node alone, a single-node cluster).")
    String voters;

    @Option(names = "--log-dir", defaultValue = "${env:MARKETSTREAM_KAFKA_LOG_DIR}",
            description = "Data directory, formatted on first start and reused after (env MARKETSTREAM_KAFKA_LOG_DIR; "
                    + "default: marketstream-kafka-<node-id> in the temporary directory).")
    Path logDir;

    @Option(names = "--cluster-id", defaultValue = "${env:MARKETSTREAM_KAFKA_CLUSTER_ID:-" + DEFAULT_CLUSTER_ID + "}",
            description = "The cluster's id, the same on every node: a Kafka UUID, 22 base64 characters "
                    + "(env MARKETSTREAM_KAFKA_CLUSTER_ID; default ${DEFAULT-VALUE}).")
    String clusterId;

    @Option(names = "--replication-factor", defaultValue = "${env:MARKETSTREAM_REPLICATION_FACTOR}",
            description = "Replicas of the internal topics and of topics created without a count, with a majority in "
                    + "sync for a write (env MARKETSTREAM_REPLICATION_FACTOR; default: the number of voters, at most 3).")
    Integer replicationFactor;

    @Option(names = "--config", paramLabel = "KEY=VALUE",
            description = "A broker setting that replaces the one derived from the options above (repeatable).")
    Map<String, String> config = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        String quorum = voters == null || voters.isBlank() ? nodeId + "@" + advertisedHost + ":" + controllerPort : voters;
        int rf = replicationFactor != null ? replicationFactor : Math.min(3, quorum.split(",").length);
        Path dir = logDir != null ? logDir : Path.of(System.getProperty("java.io.tmpdir"), "marketstream-kafka-" + nodeId);
        KafkaNode.Settings settings;
        try {
            settings = new KafkaNode.Settings(nodeId, listenHost, advertisedHost, port, controllerPort, quorum, dir,
                    clusterId, rf, config);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (metrics.port != null) {
            registerMeters();
        }
        // the endpoint answers (healthz) while the node waits for its quorum; readyz once it serves
        MetricsServer endpoint = metrics.port == null ? null : MetricsServer.start(metrics.port, KafkaCommand::serving);
        KafkaNode node;
        try {
            node = KafkaNode.start(settings);
        } catch (RuntimeException e) {
            if (endpoint != null) {
                endpoint.close();
            }
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Stopping Kafka node {}…", nodeId);
            node.close();
            if (endpoint != null) {
                endpoint.close();
            }
        }, "kafka-node-shutdown"));
        System.out.printf("Kafka node %d: clients at %s, voters %s, data in %s.%n", nodeId, settings.bootstrap(), quorum, dir);
        node.awaitShutdown();
        return 0;
    }

    /** Whether the broker serves clients (its state is RUNNING, which needs a quorum of voters). */
    static boolean serving() {
        return jmx("kafka.server:type=KafkaServer,name=BrokerState", "Value") == RUNNING;
    }

    /** The broker's own health figures, read from its JMX beans, as Micrometer meters. */
    private static void registerMeters() {
        Gauge.builder("marketstream.kafka.broker.state", () -> jmx("kafka.server:type=KafkaServer,name=BrokerState", "Value"))
                .description("the broker's state: 3 running, 6 shutting down, 0 not running").register(Metrics.globalRegistry);
        Gauge.builder("marketstream.kafka.under.replicated.partitions",
                        () -> jmx("kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions", "Value"))
                .description("partitions led here with fewer in-sync replicas than replicas").register(Metrics.globalRegistry);
        Gauge.builder("marketstream.kafka.active.controller",
                        () -> jmx("kafka.controller:type=KafkaController,name=ActiveControllerCount", "Value"))
                .description("1 on the node that is the active controller").register(Metrics.globalRegistry);
        Gauge.builder("marketstream.kafka.offline.partitions",
                        () -> jmx("kafka.controller:type=KafkaController,name=OfflinePartitionsCount", "Value"))
                .description("partitions without a leader (reported by the active controller)").register(Metrics.globalRegistry);
        FunctionCounter.builder("marketstream.kafka.messages.in", KafkaCommand.class,
                        c -> jmx("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec", "Count"))
                .description("records appended by this broker as leader").register(Metrics.globalRegistry);
    }

    /** A numeric attribute of an MBean of this JVM, NaN while it does not exist. */
    private static double jmx(String name, String attribute) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Object value = server.getAttribute(new ObjectName(name), attribute);
            return value instanceof Number n ? n.doubleValue() : Double.NaN;
        } catch (Exception e) {
            return Double.NaN;
        }
    }
}
