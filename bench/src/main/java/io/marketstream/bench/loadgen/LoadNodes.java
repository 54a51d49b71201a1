package io.marketstream.bench.loadgen;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;

import io.marketstream.bench.ProcStats;
import io.marketstream.edge.EdgeConfig;
import io.marketstream.edge.EdgeNode;
import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.engine.EngineService;
import io.marketstream.engine.MatchingEngine;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.redis.RedisClients;
import io.marketstream.redis.RedisMarketDataPublisher;
import io.marketstream.streams.RedisMarketDataSink;
import io.marketstream.streams.StreamsService;

/**
 * The server side of the {@link LoadHarness}, in a JVM of its own: a real Kafka broker
 * ({@link EmbeddedKafka}, KRaft, in this JVM), a real {@code redis-server} ({@link EmbeddedRedis}, a
 * child process), and the production roles wired as the app's {@code demo} wires them: the engine
 * ({@link EngineService}, group {@value #ENGINE_GROUP}), the streams job ({@link StreamsService}) and one
 * edge ({@link EdgeNode} on 127.0.0.1, an ephemeral port, no per-address connection limit, since every
 * client comes from 127.0.0.1). {@code --role core} leaves the edge out; {@code --role edge --redis <uri>}
 * runs only an edge, so that it can have a JVM of its own, as in a deployment: in one JVM the edge and the
 * streams job share Lettuce's event-loop threads (one set per process), and the edge's fan-out, which runs
 * on its pub/sub connection's event loop, then delays the streams job's Redis replies.
 *
 * <p>Prints {@code ready bootstrap=… redis=… port=… redis_pid=…} (an edge alone: {@code ready port=…}) once
 * the engine has its partitions and the streams job runs, then answers commands on stdin: {@code threads-reset}; {@code threads} (one line
 * {@code thread name=… cpu_ns=…} per thread name, pools summed, CPU since the reset, then {@code threads
 * n=…}); {@code quit}. Exits when stdin closes.
 */
public final class LoadNodes {
    static final String ENGINE_GROUP = "marketstream-engine";
    static final int PARTITIONS = 2;

    private LoadNodes() {
    }

    public static void main(String[] args) throws Exception {
        String role = "all";
        String redisUri = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--role" -> role = args[i + 1];
                case "--redis" -> redisUri = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        MarketCatalog catalog = MarketCatalog.defaults();
        Deque<AutoCloseable> started = new ArrayDeque<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(started), "nodes-shutdown"));
        if (role.equals("edge")) {
            if (redisUri == null) {
                throw new IllegalArgumentException("--role edge needs --redis");
            }
            EdgeNode edge = startEdge(catalog, redisUri, started);
            System.out.printf("ready pid=%d port=%d jvm=\"%s\"%n", ProcessHandle.current().pid(), edge.port(),
                    String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
            serve();
            return;
        }
        if (!role.equals("all") && !role.equals("core")) {
            throw new IllegalArgumentException("--role is all, core or edge, not " + role);
        }
        EmbeddedKafka kafka = EmbeddedKafka.start();
        started.push(kafka);
        EmbeddedRedis redis = EmbeddedRedis.start();
        started.push(redis);
        String bootstrap = kafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(
                    new NewTopic(Topics.ORDER_COMMANDS.name(), PARTITIONS, (short) 1)
                            .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1")),
                    new NewTopic(Topics.ENGINE_EVENTS.name(), PARTITIONS, (short) 1),
                    new NewTopic(Topics.ORDER_COMMANDS_DEAD_LETTER.name(), 1, (short) 1)))
                    .all().get(60, TimeUnit.SECONDS);
        }
        // the roles, as app's Roles starts them
        EngineService engine = new EngineService(new MatchingEngine(catalog), bootstrap, ENGINE_GROUP, 50_000,
                Duration.ofSeconds(30), new SimpleMeterRegistry());
        Thread engineThread = new Thread(engine, "engine");
        engineThread.start();
        started.push(engine);
        RedisClient redisClient = RedisClients.create(redis.uri());
        started.push(redisClient::shutdown);
        RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(redisClient);
        started.push(publisher);
        StreamsService streams = new StreamsService(catalog, new RedisMarketDataSink(publisher), bootstrap,
                "marketstream-streams", Files.createTempDirectory("loadgen-streams-"));
        streams.start();
        started.push(streams);
        EdgeNode edge = role.equals("all") ? startEdge(catalog, redis.uri(), started) : null;

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while ((engine.assignedMarkets().isEmpty() || !engine.isCaughtUp()
                || streams.state() != KafkaStreams.State.RUNNING) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (streams.state() != KafkaStreams.State.RUNNING || engine.assignedMarkets().isEmpty()) {
            System.out.println("error the roles did not start within 120 s: engine markets "
                    + engine.assignedMarkets() + ", streams " + streams.state());
            System.exit(1);
        }
        long redisPid = ProcStats.children(ProcessHandle.current().pid(), "redis").stream()
                .mapToLong(ProcessHandle::pid).findFirst().orElse(0);
        System.out.printf("ready pid=%d bootstrap=%s redis=%s port=%d redis_pid=%d jvm=\"%s\"%n",
                ProcessHandle.current().pid(), bootstrap, redis.uri(), edge == null ? 0 : edge.port(), redisPid,
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        serve();
    }

    /** One edge on 127.0.0.1, an ephemeral port, no per-address connection limit (every client is local). */
    private static EdgeNode startEdge(MarketCatalog catalog, String redisUri, Deque<AutoCloseable> started) {
        EdgeConfig config = EdgeConfig.defaults(0).toBuilder().host("127.0.0.1").maxConnectionsPerIp(1_000_000)
                .build();
        EdgeNode edge = new EdgeNode(config, catalog, redisUri).start();
        started.push(edge);
        return edge;
    }

    /** Answers the parent's commands until {@code quit} or the end of stdin, then exits. */
    private static void serve() throws java.io.IOException {
        System.out.flush();
        Map<String, Long> threadsBefore = ProcStats.threadCpu();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim()) {
                case "threads-reset" -> {
                    threadsBefore = ProcStats.threadCpu();
                    System.out.println("threads-reset");
                }
                case "threads" -> {
                    Map<String, Long> since = ProcStats.threadCpuSince(threadsBefore);
                    since.forEach((name, cpu) -> {
                        if (cpu > 0) {
                            System.out.printf("thread name=%s cpu_ns=%d%n", name.replace(' ', '_'), cpu);
                        }
                    });
                    System.out.println("threads n=" + since.size());
                }
                case "quit" -> {
                    System.out.println("bye");
                    System.out.flush();
                    System.exit(0);
                }
                default -> System.out.println("error unknown=" + line.trim());
            }
            System.out.flush();
        }
        System.exit(0);
    }

    /** Stops the roles in reverse order of starting (the shutdown hook, on any exit). */
    private static void closeAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            AutoCloseable next = started.pop();
            try {
                next.close();
            } catch (Exception e) {
                System.err.println("stopping " + next + " failed: " + e);
            }
        }
    }
}
