package io.marketstream.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The production topology, written down once: a Kafka cluster of three KRaft nodes, Redis, two
 * engines, two streams instances, two edges behind nginx, and the simulated traders, each with its
 * command, environment and ports. The local cluster ({@link LocalCluster}) runs exactly these as
 * processes on loopback; {@code infra/compose.yaml} declares the same services, and
 * {@code ComposeStackTest} checks that its commands, variables and ports are what this class gives
 * for the compose {@link Placement}.
 *
 * <p>Ports are fixed offsets from a base ({@value #DEFAULT_PORT_BASE} by default), the same inside
 * the compose containers as on the loopback interface, so one table in docs/operations.md serves
 * both.
 */
final class ClusterTopology {
    static final int DEFAULT_PORT_BASE = 20_000;
    static final double DEFAULT_RATE = 50;
    static final int KAFKA_NODES = 3;
    static final int REPLICATION_FACTOR = 3;
    static final int PARTITIONS = 2;
    /** Heap and collector of the role processes: small, and a serial collector for a machine of a few cores. */
    static final String JVM_OPTIONS = "-Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError";
    static final String KAFKA_JVM_OPTIONS = "-Xmx384m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError";

    /** What a service is; the app roles run {@code java -jar marketstream.jar <command>}. */
    enum Kind { REDIS, KAFKA, ENGINE, STREAMS, EDGE, NGINX, TRADERS }

    /** Where services find each other and keep data. */
    interface Placement {
        /** The address other services reach {@code service} at. */
        String host(String service);

        /** The address a Kafka node's listeners bind. */
        String listenHost();

        /** A directory for a service's data (Kafka logs, Kafka Streams state). */
        String dataDir(String service);
    }

    /** The local cluster: everything on 127.0.0.1, data under the run directory. */
    static Placement loopback(java.nio.file.Path runDir) {
        return new Placement() {
            @Override
            public String host(String service) {
                return "127.0.0.1";
            }

            @Override
            public String listenHost() {
                return "127.0.0.1";
            }

            @Override
            public String dataDir(String service) {
                return runDir.resolve("data").resolve(service).toString();
            }
        };
    }

    /** The compose stack: services reach each other by service name; data in a volume at /var/lib/marketstream. */
    static final Placement COMPOSE = new Placement() {
        @Override
        public String host(String service) {
            return service;
        }

        @Override
        public String listenHost() {
            return "0.0.0.0";
        }

        @Override
        public String dataDir(String service) {
            return "/var/lib/marketstream/" + service;
        }
    };

    /**
     * One service.
     *
     * @param command     for app roles, the arguments after {@code java -jar marketstream.jar}; for Redis, its
     *                    server's arguments after the executable; empty for nginx (its configuration says all)
     * @param env         the variables the service reads
     * @param port        the port it serves clients on (Kafka: client port; nginx and edges: HTTP)
     * @param metricsPort where /metrics, /healthz and /readyz are, or 0 (Redis, nginx)
     */
    record Service(String name, Kind kind, List<String> command, Map<String, String> env, int port, int metricsPort) {
        Service {
            command = List.copyOf(command);
            env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        }
    }

    /**
     * The settings of one cluster.
     *
     * @param portBase the base of every port (see the table in docs/operations.md)
     * @param rate     the simulated traders' commands per second
     * @param markets  a markets file every app role reads, or null for the built-in ones
     */
    record Settings(int portBase, double rate, String markets) {
        Settings {
            if (portBase < 1024 || portBase > 65_535 - 400) {
                throw new IllegalArgumentException("port base must be between 1024 and 65135: " + portBase);
            }
            if (!(rate > 0)) {
                throw new IllegalArgumentException("rate must be positive: " + rate);
            }
        }

        static Settings defaults() {
            return new Settings(DEFAULT_PORT_BASE, DEFAULT_RATE, null);
        }

        int nginxPort() {
            return portBase + 80;
        }

        int edgePort(int n) {
            return portBase + 80 + n;
        }

        int redisPort() {
            return portBase + 379;
        }

        int kafkaPort(int node) {
            return portBase + 90 + node;
        }

        int controllerPort(int node) {
            return portBase + 190 + node;
        }

        int kafkaMetricsPort(int node) {
            return portBase + 290 + node;
        }

        int engineMetricsPort(int n) {
            return portBase + 200 + n;
        }

        int streamsMetricsPort(int n) {
            return portBase + 210 + n;
        }

        int tradersMetricsPort() {
            return portBase + 221;
        }
    }

    private ClusterTopology() {
    }

    /** The services in start order: each stage needs the ones before it (stop goes the other way). */
    static List<List<Service>> stages(Settings settings, Placement placement) {
        List<List<Service>> stages = new ArrayList<>();
        stages.add(List.of(redis(settings)));
        List<Service> kafka = new ArrayList<>();
        for (int node = 1; node <= KAFKA_NODES; node++) {
            kafka.add(kafka(settings, placement, node));
        }
        stages.add(kafka);
        stages.add(List.of(engine(settings, placement, 1), engine(settings, placement, 2)));
        stages.add(List.of(streams(settings, placement, 1), streams(settings, placement, 2)));
        stages.add(List.of(edge(settings, placement, 1), edge(settings, placement, 2)));
        stages.add(List.of(nginx(settings, placement)));
        stages.add(List.of(traders(settings, placement)));
        return stages;
    }

    /** Every service, in start order. */
    static List<Service> services(Settings settings, Placement placement) {
        return stages(settings, placement).stream().flatMap(List::stream).toList();
    }

    static String bootstrap(Settings settings, Placement placement) {
        StringJoiner servers = new StringJoiner(",");
        for (int node = 1; node <= KAFKA_NODES; node++) {
            servers.add(placement.host("kafka-" + node) + ":" + settings.kafkaPort(node));
        }
        return servers.toString();
    }

    static String redisUri(Settings settings, Placement placement) {
        return "redis://" + placement.host("redis") + ":" + settings.redisPort();
    }

    private static Service redis(Settings s) {
        return new Service("redis", Kind.REDIS, List.of("--port", String.valueOf(s.redisPort()), "--protected-mode", "no",
                "--save", "", "--appendonly", "no"), Map.of(), s.redisPort(), 0);
    }

    private static Service kafka(Settings s, Placement p, int node) {
        String name = "kafka-" + node;
        StringJoiner voters = new StringJoiner(",");
        for (int n = 1; n <= KAFKA_NODES; n++) {
            voters.add(n + "@" + p.host("kafka-" + n) + ":" + s.controllerPort(n));
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA_TOOL_OPTIONS", KAFKA_JVM_OPTIONS);
        env.put("MARKETSTREAM_KAFKA_NODE_ID", String.valueOf(node));
        env.put("MARKETSTREAM_KAFKA_LISTEN_HOST", p.listenHost());
        env.put("MARKETSTREAM_KAFKA_ADVERTISED_HOST", p.host(name));
        env.put("MARKETSTREAM_KAFKA_PORT", String.valueOf(s.kafkaPort(node)));
        env.put("MARKETSTREAM_KAFKA_CONTROLLER_PORT", String.valueOf(s.controllerPort(node)));
        env.put("MARKETSTREAM_KAFKA_VOTERS", voters.toString());
        env.put("MARKETSTREAM_KAFKA_LOG_DIR", p.dataDir(name));
        env.put("MARKETSTREAM_KAFKA_CLUSTER_ID", KafkaCommand.DEFAULT_CLUSTER_ID);
        env.put("MARKETSTREAM_REPLICATION_FACTOR", String.valueOf(REPLICATION_FACTOR));
        env.put("MARKETSTREAM_METRICS_PORT", String.valueOf(s.kafkaMetricsPort(node)));
        return new Service(name, Kind.KAFKA, List.of("kafka"), env, s.kafkaPort(node), s.kafkaMetricsPort(node));
    }

    private static Map<String, String> roleEnv(Settings s) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA_TOOL_OPTIONS", JVM_OPTIONS);
        if (s.markets() != null) {
            env.put("MARKETSTREAM_MARKETS", s.markets());
        }
        return env;
    }

    private static Service engine(Settings s, Placement p, int n) {
        String name = "engine-" + n;
        Map<String, String> env = roleEnv(s);
        env.put("MARKETSTREAM_BOOTSTRAP", bootstrap(s, p));
        env.put("MARKETSTREAM_INSTANCE_ID", name);
        env.put("MARKETSTREAM_PARTITIONS", String.valueOf(PARTITIONS));
        env.put("MARKETSTREAM_REPLICATION_FACTOR", String.valueOf(REPLICATION_FACTOR));
        env.put("MARKETSTREAM_METRICS_PORT", String.valueOf(s.engineMetricsPort(n)));
        return new Service(name, Kind.ENGINE, List.of("engine"), env, 0, s.engineMetricsPort(n));
    }

    private static Service streams(Settings s, Placement p, int n) {
        String name = "streams-" + n;
        Map<String, String> env = roleEnv(s);
        env.put("MARKETSTREAM_BOOTSTRAP", bootstrap(s, p));
        env.put("MARKETSTREAM_REDIS", redisUri(s, p));
        env.put("MARKETSTREAM_PARTITIONS", String.valueOf(PARTITIONS));
        env.put("MARKETSTREAM_REPLICATION_FACTOR", String.valueOf(REPLICATION_FACTOR));
        env.put("MARKETSTREAM_METRICS_PORT", String.valueOf(s.streamsMetricsPort(n)));
        return new Service(name, Kind.STREAMS, List.of("streams", "--state-dir", p.dataDir(name)), env, 0,
                s.streamsMetricsPort(n));
    }

    private static Service edge(Settings s, Placement p, int n) {
        Map<String, String> env = roleEnv(s);
        env.put("MARKETSTREAM_REDIS", redisUri(s, p));
        env.put("MARKETSTREAM_PORT", String.valueOf(s.edgePort(n)));
        // every client comes through the balancer's address: the per-address limit is nginx's (limit_conn)
        env.put("MARKETSTREAM_MAX_CONNECTIONS_PER_IP", "100000");
        return new Service("edge-" + n, Kind.EDGE, List.of("edge"), env, s.edgePort(n), s.edgePort(n));
    }

    private static Service nginx(Settings s, Placement p) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MARKETSTREAM_NGINX_PORT", String.valueOf(s.nginxPort()));
        env.put("MARKETSTREAM_EDGE_1", p.host("edge-1") + ":" + s.edgePort(1));
        env.put("MARKETSTREAM_EDGE_2", p.host("edge-2") + ":" + s.edgePort(2));
        return new Service("nginx", Kind.NGINX, List.of(), env, s.nginxPort(), 0);
    }

    private static Service traders(Settings s, Placement p) {
        Map<String, String> env = roleEnv(s);
        env.put("MARKETSTREAM_BOOTSTRAP", bootstrap(s, p));
        env.put("MARKETSTREAM_METRICS_PORT", String.valueOf(s.tradersMetricsPort()));
        return new Service("traders", Kind.TRADERS, List.of("traders", "--rate", formatRate(s.rate())), env, 0,
                s.tradersMetricsPort());
    }

    private static String formatRate(double rate) {
        return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
    }

    /** The service of that name. */
    static Service service(List<Service> services, String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name + "; the services are "
                        + services.stream().map(Service::name).toList()));
    }

    /** Replaces {@code ${NAME}} with the value of NAME in {@code values}; other text (nginx's $vars) stays. */
    static String render(String template, Map<String, String> values) {
        Objects.requireNonNull(values);
        String out = template;
        for (Map.Entry<String, String> e : values.entrySet()) {
            out = out.replace("${" + e.getKey() + "}", e.getValue());
        }
        return out;
    }
}
