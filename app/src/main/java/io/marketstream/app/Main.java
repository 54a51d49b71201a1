package io.marketstream.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.marketstream.edge.EdgeConfig;
import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.MarketCatalog;

/** The single executable: one subcommand per role, and {@code demo} for everything in one JVM. */
@Command(name = "marketstream", mixinStandardHelpOptions = true, version = "marketstream 0.1.0",
        description = "Kafka-backed market data: matching engine, streams job, Redis bus, WebSocket edge.",
        subcommands = {CommandLine.HelpCommand.class, Main.Demo.class, Main.Engine.class, Main.Streams.class, Main.Edge.class, Main.Traders.class,
                WatchCommand.class, ReplayCommand.class, AnalyticsCommand.class, KafkaCommand.class, ClusterCommand.class})
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    public static void main(String[] args) {
        int exit = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    /** Where a role finds Kafka. The flag wins over the environment. */
    static final class KafkaOptions {
        @Option(names = "--bootstrap", defaultValue = "${env:MARKETSTREAM_BOOTSTRAP:-127.0.0.1:9092}",
                description = "Kafka bootstrap servers (env MARKETSTREAM_BOOTSTRAP; default ${DEFAULT-VALUE}).")
        String bootstrap;
    }

    /** Where a role finds Redis. The flag wins over the environment. */
    static final class RedisOptions {
        @Option(names = "--redis", defaultValue = "${env:MARKETSTREAM_REDIS:-redis://127.0.0.1:6379}",
                description = "Redis URI (env MARKETSTREAM_REDIS; default ${DEFAULT-VALUE}).")
        String redis;
    }

    /** Which markets are traded, and by what rules. Every role of a deployment must use the same file. */
    static final class MarketOptions {
        @Option(names = "--markets", defaultValue = "${env:MARKETSTREAM_MARKETS}",
                description = "Markets file: a JSON array of markets and their rules, see docs/engine.md "
                        + "(env MARKETSTREAM_MARKETS; default: BTC-USD and ETH-USD built in).")
        Path file;

        MarketCatalog catalog() {
            return file == null ? MarketCatalog.defaults() : MarketCatalog.load(file);
        }
    }

    /** The edge's settings, each with its environment variable; defaults are {@link EdgeConfig#defaults}. */
    static final class EdgeOptions {
        @Option(names = "--port", defaultValue = "${env:MARKETSTREAM_PORT:-8080}",
                description = "HTTP/WebSocket port (env MARKETSTREAM_PORT; default ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--jwt-secret", defaultValue = "${env:MARKETSTREAM_JWT_SECRET}",
                description = "HMAC-SHA256 secret (at least 32 characters) of the tokens that unlock private channels "
                        + "(env MARKETSTREAM_JWT_SECRET; default: none, private channels are refused).")
        String jwtSecret;

        @Option(names = "--allowed-origins", split = ",", defaultValue = "${env:MARKETSTREAM_ALLOWED_ORIGINS}",
                description = "Origins allowed to open a WebSocket, comma-separated (env MARKETSTREAM_ALLOWED_ORIGINS; "
                        + "default: any).")
        java.util.List<String> allowedOrigins;

        @Option(names = "--max-connections-per-ip", defaultValue = "${env:MARKETSTREAM_MAX_CONNECTIONS_PER_IP:-200}",
                description = "Connections from one address (default ${DEFAULT-VALUE}).")
        int perIp;

        @Option(names = "--max-connections-per-account", defaultValue = "${env:MARKETSTREAM_MAX_CONNECTIONS_PER_ACCOUNT:-10}",
                description = "Authenticated connections per account; the oldest is closed (default ${DEFAULT-VALUE}).")
        int perAccount;

        @Option(names = "--max-subscriptions", defaultValue = "${env:MARKETSTREAM_MAX_SUBSCRIPTIONS:-50}",
                description = "Channels per connection (default ${DEFAULT-VALUE}).")
        int subscriptions;

        @Option(names = "--max-messages-per-second", defaultValue = "${env:MARKETSTREAM_MAX_MESSAGES_PER_SECOND:-50}",
                description = "Requests per second per connection (default ${DEFAULT-VALUE}).")
        int messagesPerSecond;

        @Option(names = "--max-message-bytes", defaultValue = "${env:MARKETSTREAM_MAX_MESSAGE_BYTES:-16384}",
                description = "Largest request frame; larger closes with 1009 (default ${DEFAULT-VALUE}).")
        long messageBytes;

        @Option(names = "--ping-interval", defaultValue = "${env:MARKETSTREAM_PING_INTERVAL:-20}",
                description = "Seconds of silence before the node pings; no answer within half as long again closes "
                        + "with 4001 (default ${DEFAULT-VALUE}).")
        long pingSeconds;

        @Option(names = "--drain-grace", defaultValue = "${env:MARKETSTREAM_DRAIN_GRACE:-5}",
                description = "Seconds between the reconnect notice and the 1012 close on SIGTERM (default ${DEFAULT-VALUE}).")
        long drainSeconds;

        @Option(names = "--no-deflate", description = "Refuse the permessage-deflate extension.")
        boolean noDeflate;

        EdgeConfig config() {
            return EdgeConfig.defaults(port).toBuilder().jwtSecret(jwtSecret == null || jwtSecret.isBlank() ? null : jwtSecret)
                    .allowedOrigins(allowedOrigins == null ? java.util.List.of() : allowedOrigins)
                    .maxConnectionsPerIp(perIp).maxConnectionsPerAccount(perAccount).maxSubscriptions(subscriptions)
                    .maxMessagesPerSecond(messagesPerSecond).maxMessageBytes(messageBytes)
                    .heartbeat(java.time.Duration.ofSeconds(pingSeconds), java.time.Duration.ofSeconds(Math.max(1, pingSeconds / 2)))
                    .drainGrace(java.time.Duration.ofSeconds(drainSeconds)).permessageDeflate(!noDeflate).build();
        }
    }

    /** Blocks until the JVM is asked to stop, then closes the roles. */
    static int runUntilStopped(Roles roles) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown"));
        stop.await();
        log.info("Stopping…");
        roles.drainEdges();
        roles.close();
        closed.countDown();
        return 0;
    }

    @Command(name = "demo", description = "Everything in one JVM: embedded Kafka (KRaft) and Redis, engine, "
            + "streams job, an edge with the live page, and simulated traders.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Mixin
        MarketOptions markets = new MarketOptions();

        @CommandLine.Mixin
        EdgeOptions edge = new EdgeOptions();

        @Option(names = "--rate", defaultValue = "40",
                description = "Simulated traders' commands per second (default ${DEFAULT-VALUE}).")
        double rate;

        @Override
        public Integer call() throws Exception {
            MarketCatalog catalog = markets.catalog();
            EmbeddedKafka kafka = EmbeddedKafka.start();
            EmbeddedRedis redis;
            try {
                redis = EmbeddedRedis.start();
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            Roles roles = new Roles(kafka.bootstrapServers(), redis.uri(), catalog);
            roles.closeLast(redis);
            roles.closeLast(kafka);
            try {
                roles.engine();
                roles.streams();
                roles.edge(edge.config());
                roles.traders(rate);
            } catch (RuntimeException e) {
                roles.close();
                throw e;
            }
            System.out.printf("%nmarketstream demo is running: open http://localhost:%d/ (WebSocket ws://localhost:%d/ws)."
                    + "%nKafka %s, Redis %s. Ctrl-C stops it.%n%n", edge.port, edge.port, kafka.bootstrapServers(), redis.uri());
            return runUntilStopped(roles);
        }
    }

    @Command(name = "engine", description = "The matching engine: commands in from Kafka, events out to Kafka.")
    static final class Engine implements Callable<Integer> {
        @CommandLine.Mixin
        MarketOptions markets = new MarketOptions();

        @CommandLine.Mixin
        KafkaOptions kafka = new KafkaOptions();

        @CommandLine.Mixin
        TopicOptions topics = new TopicOptions();

        @CommandLine.Mixin
        MetricsOptions metrics = new MetricsOptions();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--instance-id", defaultValue = "${env:MARKETSTREAM_INSTANCE_ID}",
                description = "A stable name for this engine instance (env MARKETSTREAM_INSTANCE_ID). With it, a "
                        + "restarted instance takes its markets straight back; without it, they move after 10 s.")
        String instanceId;

        @Option(names = "--snapshot-every", defaultValue = "50000",
                description = "Snapshot a partition's state after this many commands (default ${DEFAULT-VALUE}).")
        long snapshotEvery;

        @Option(names = "--snapshot-interval", defaultValue = "30",
                description = "...or after this many seconds with any new command (default ${DEFAULT-VALUE}).")
        long snapshotSeconds;

        @Override
        public Integer call() throws Exception {
            if (snapshotEvery <= 0 || snapshotSeconds <= 0) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--snapshot-every and --snapshot-interval must be positive");
            }
            topics.validate(spec);
            Roles roles = new Roles(kafka.bootstrap, null, markets.catalog()).topics(topics.partitions, topics.replicationFactor);
            if (metrics.port != null) {
                roles.serveMetrics(metrics.port);
            }
            roles.engine(instanceId, snapshotEvery, java.time.Duration.ofSeconds(snapshotSeconds));
            return runUntilStopped(roles);
        }
    }

    @Command(name = "streams", description = "The Kafka Streams job: engine events into books in Redis.")
    static final class Streams implements Callable<Integer> {
        @CommandLine.Mixin
        MarketOptions markets = new MarketOptions();

        @CommandLine.Mixin
        KafkaOptions kafka = new KafkaOptions();

        @CommandLine.Mixin
        RedisOptions redis = new RedisOptions();

        @CommandLine.Mixin
        TopicOptions topics = new TopicOptions();

        @CommandLine.Mixin
        MetricsOptions metrics = new MetricsOptions();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--state-dir", description = "Kafka Streams state directory (default: a new temporary one).")
        Path stateDir;

        @Override
        public Integer call() throws Exception {
            topics.validate(spec);
            Roles roles = new Roles(kafka.bootstrap, redis.redis, markets.catalog()).topics(topics.partitions, topics.replicationFactor);
            if (metrics.port != null) {
                roles.serveMetrics(metrics.port);
            }
            if (stateDir == null) {
                roles.streams();
            } else {
                roles.streams(stateDir);
            }
            return runUntilStopped(roles);
        }
    }

    @Command(name = "edge", description = "A WebSocket edge node serving market data from Redis.")
    static final class Edge implements Callable<Integer> {
        @CommandLine.Mixin
        MarketOptions markets = new MarketOptions();

        @CommandLine.Mixin
        RedisOptions redis = new RedisOptions();

        @CommandLine.Mixin
        EdgeOptions edge = new EdgeOptions();

        @Override
        public Integer call() throws Exception {
            Roles roles = new Roles(null, redis.redis, markets.catalog());
            roles.edge(edge.config());
            return runUntilStopped(roles);
        }
    }

    @Command(name = "traders", description = "Simulated traders sending orders to the engine's command topic.")
    static final class Traders implements Callable<Integer> {
        @CommandLine.Mixin
        MarketOptions markets = new MarketOptions();

        @CommandLine.Mixin
        KafkaOptions kafka = new KafkaOptions();

        @CommandLine.Mixin
        MetricsOptions metrics = new MetricsOptions();

        @Option(names = "--rate", defaultValue = "40", description = "Commands per second (default ${DEFAULT-VALUE}).")
        double rate;

        @Override
        public Integer call() throws Exception {
            Roles roles = new Roles(kafka.bootstrap, null, markets.catalog());
            if (metrics.port != null) {
                roles.serveMetrics(metrics.port);
            }
            roles.traders(rate);
            return runUntilStopped(roles);
        }
    }
}
