package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.app.ClusterTopology.Service;
import io.marketstream.client.MarketDataClient;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderReduced;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.kafka.Topics;

/**
 * The scale-out topology survives crashes under load: the local cluster ({@link LocalCluster}, every
 * service its own process, nginx in front of the edges) runs with the simulated traders and a tracked
 * trader of the test's own sending commands, and WebSocket clients (the reconnecting
 * {@link MarketDataClient}) keep verified books through nginx. One engine, one streams instance, one
 * Kafka broker and one edge are killed in turn (SIGKILL), each while the load runs, and after each the
 * test waits until the system makes progress again (commands sent after the kill come out as events;
 * the clients' books move past the engine's sequence at the kill). Then the four are started again, as
 * a supervisor would, and must rejoin while the load goes on (the engine takes its markets back, the
 * broker catches up until no partition is under-replicated). Then the other edge is stopped gracefully,
 * as in a rolling upgrade: it drains, and all clients move through nginx to the restarted edge. Then the
 * load stops and:
 * <ul>
 *   <li>every command the tracked trader saw acknowledged by Kafka has its events in the event topic;</li>
 *   <li>each market's events, replays dropped, carry seq 1, 2, 3… without a gap;</li>
 *   <li>every client's book equals the book folded from the event topic, none ever failed a check (a
 *       sequence gap or a checksum mismatch);</li>
 *   <li>every metric the Grafana dashboard queries is exported by the running roles.</li>
 * </ul>
 */
class ClusterFaultIT {
    private static final Logger log = LoggerFactory.getLogger(ClusterFaultIT.class);
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final int CLIENTS = 8;
    private static final long FIRST_ACCOUNT = 5_000;
    private static final int ACCOUNTS = 10;
    /** Bounds the tracked load: 20 commands/s, never more than this many in all. */
    private static final int MAX_TRACKED = 20_000;
    private static final Duration PROGRESS = Duration.ofSeconds(120);

    private static LocalCluster cluster;
    private static Thread stopper;

    @BeforeAll
    static void startCluster() throws IOException {
        Path jar = Path.of("target", "marketstream.jar");
        assertThat(jar).as("the application jar (built in the package phase)").exists();
        Path runDir = Path.of("target", "cluster-fault-it");
        EmbeddedDirs.deleteRecursively(runDir);
        cluster = new LocalCluster(runDir, new ClusterTopology.Settings(freePortBase(), 30, null), jar);
        stopper = new Thread(cluster::stop, "cluster-fault-it-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        long started = System.nanoTime();
        cluster.start(Duration.ofSeconds(240));
        log.info("Cluster ready in {} s", (System.nanoTime() - started) / 1_000_000_000);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.stop();
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
    }

    @Test
    void clientsKeepTheEnginesBooksAndNoAcknowledgedCommandIsLostWhileAnEngineAStreamsInstanceABrokerAndAnEdgeDie()
            throws Exception {
        assertTopicsAreReplicatedThreeTimes();
        EventLog events = new EventLog(cluster.bootstrap());
        TrackedTrader trader = new TrackedTrader(cluster.bootstrap());
        WebSocketClient ws = new WebSocketClient();
        ws.start();
        List<MarketDataClient> clients = new ArrayList<>();
        try {
            events.start();
            trader.start();
            for (int i = 0; i < CLIENTS; i++) {
                MarketDataClient client = MarketDataClient.builder(CATALOG).endpoint(cluster.webSocketUri())
                        .backoff(Duration.ofMillis(100), Duration.ofSeconds(2)).webSocketClient(ws).build();
                for (MarketSpec m : CATALOG.all()) {
                    client.subscribeBook(m.symbol());
                }
                clients.add(client.start());
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> clients.stream().allMatch(c ->
                    CATALOG.all().stream().allMatch(m -> c.sequence(m.symbol()) > 0)));
            Map<String, Long> perEdge = clientsPerEdge();
            log.info("Clients per edge: {}", perEdge);
            assertThat(perEdge.values()).as("nginx spreads the clients over both edges").allMatch(n -> n > 0);

            assertDashboardMetricsAreExported();

            for (String victim : List.of("engine-1", "streams-1", "kafka-1", "edge-1")) {
                long before = System.nanoTime();
                Map<String, Long> seqAtKill = events.lastSeqs();
                int ackedAtKill = trader.acked().size();
                cluster.kill(List.of(victim));
                log.info("Killed {} with {} commands acknowledged; engine sequences {}", victim, ackedAtKill, seqAtKill);
                // the system makes progress again: commands acknowledged after the kill come out as events...
                await().atMost(PROGRESS).pollInterval(Duration.ofMillis(500)).until(() ->
                        trader.acked().size() > ackedAtKill + 20
                                && events.containsAll(trader.ackedSince(ackedAtKill, 20)));
                // ...and every client's book moves past where the engine was at the kill
                await().atMost(PROGRESS).pollInterval(Duration.ofMillis(500)).until(() -> clients.stream().allMatch(c ->
                        seqAtKill.entrySet().stream().allMatch(e -> c.sequence(e.getKey()) > e.getValue())));
                log.info("Recovered from the loss of {} in {} s", victim, (System.nanoTime() - before) / 1_000_000_000);
            }

            assertThat(clients.stream().mapToLong(MarketDataClient::reconnects).sum())
                    .as("the killed edge's clients reconnected through nginx").isGreaterThanOrEqualTo(perEdge.get("edge-1"));

            // as a supervisor would: the four come back, rejoin (the engine takes its markets back and
            // restores them, the broker catches up) and the load goes on through the whole cluster
            long restarting = System.nanoTime();
            List<String> victims = List.of("kafka-1", "engine-1", "streams-1", "edge-1");
            cluster.start(victims, Duration.ofSeconds(180));
            Map<String, Long> seqAtRestart = events.lastSeqs();
            int ackedAtRestart = trader.acked().size();
            await().atMost(PROGRESS).pollInterval(Duration.ofMillis(500)).until(() ->
                    trader.acked().size() > ackedAtRestart + 20
                            && events.containsAll(trader.ackedSince(ackedAtRestart, 20))
                            && clients.stream().allMatch(c -> seqAtRestart.entrySet().stream()
                                    .allMatch(e -> c.sequence(e.getKey()) > e.getValue())));
            await().atMost(PROGRESS).pollInterval(Duration.ofSeconds(1)).until(ClusterFaultIT::fullyReplicated);
            log.info("Restarted {} and fully replicated again in {} s", victims,
                    (System.nanoTime() - restarting) / 1_000_000_000);

            // a rolling upgrade's step: edge-2 is stopped gracefully (it drains: its clients are told to
            // reconnect and closed with 1012) and its clients move through nginx to edge-1
            long draining = System.nanoTime();
            Map<String, Long> seqAtDrain = events.lastSeqs();
            long reconnectsBefore = clients.stream().mapToLong(MarketDataClient::reconnects).sum();
            cluster.stop(List.of("edge-2"));
            await().atMost(PROGRESS).pollInterval(Duration.ofMillis(500)).until(() ->
                    clients.stream().allMatch(MarketDataClient::connected)
                            && clients.stream().allMatch(c -> seqAtDrain.entrySet().stream()
                                    .allMatch(e -> c.sequence(e.getKey()) > e.getValue())));
            assertThat(clients.stream().mapToLong(MarketDataClient::reconnects).sum()).as("reconnects after the drain")
                    .isGreaterThanOrEqualTo(reconnectsBefore + CLIENTS);
            assertThat(clientsPerEdge()).as("every client on the remaining edge").containsOnlyKeys("edge-1");
            log.info("Drained edge-2: its clients on edge-1 and books moving in {} s", (System.nanoTime() - draining) / 1_000_000_000);

            trader.stop();
            cluster.kill(List.of("traders"));
            awaitEngineCaughtUp();
            events.readToEnd();

            Set<String> lost = new TreeSet<>(trader.acked());
            lost.removeAll(events.commandIds());
            assertThat(lost).as("acknowledged commands without events").isEmpty();
            assertThat(trader.acked().size()).as("tracked commands acknowledged").isGreaterThan(500);
            events.assertNoGaps();

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                for (MarketDataClient c : clients) {
                    for (MarketSpec m : CATALOG.all()) {
                        assertThat(c.levels(m.symbol(), Side.BUY)).as(m.symbol() + " bids").isEqualTo(events.levels(m, Side.BUY));
                        assertThat(c.levels(m.symbol(), Side.SELL)).as(m.symbol() + " asks").isEqualTo(events.levels(m, Side.SELL));
                    }
                }
            });
            for (MarketDataClient c : clients) {
                assertThat(c.failedChecks()).as("book messages that failed a check").isZero();
                assertThat(c.connected()).isTrue();
                for (MarketSpec m : CATALOG.all()) {
                    assertThat(c.sequence(m.symbol())).isLessThanOrEqualTo(events.lastSeqs().get(m.symbol()));
                }
            }
            log.info("Tracked commands acknowledged: {}; events read: {}; client reconnects: {}; resyncs: {}",
                    trader.acked().size(), events.count(), clients.stream().mapToLong(MarketDataClient::reconnects).sum(),
                    clients.stream().mapToLong(MarketDataClient::resyncs).sum());
        } finally {
            trader.stop();
            clients.forEach(MarketDataClient::close);
            ws.stop();
            events.close();
        }
    }

    /** Every Kafka node serves, and none leads a partition with a replica out of sync. */
    private static boolean fullyReplicated() {
        for (int node = 1; node <= ClusterTopology.KAFKA_NODES; node++) {
            String metrics = scrape(cluster.service("kafka-" + node).metricsPort());
            if (metrics == null || !metrics.contains("marketstream_kafka_under_replicated_partitions 0.0")
                    || !metrics.contains("marketstream_kafka_broker_state 3.0")) {
                return false;
            }
        }
        return true;
    }

    /** Which edge each client is on, by the edges' own connection gauges. */
    private static Map<String, Long> clientsPerEdge() {
        Map<String, Long> out = new TreeMap<>();
        for (String edge : List.of("edge-1", "edge-2")) {
            String metrics = scrape(cluster.service(edge).metricsPort());
            if (metrics == null) {
                continue;
            }
            Matcher m = Pattern.compile("(?m)^marketstream_edge_connections (\\S+)$").matcher(metrics);
            if (m.find() && Double.parseDouble(m.group(1)) > 0) {
                out.put(edge, (long) Double.parseDouble(m.group(1)));
            }
        }
        return out;
    }

    /**
     * Every topic has three replicas: ours (created by the roles), the engine's snapshots and the Kafka
     * Streams changelogs (the broker's default), and Kafka's own offsets and transaction state.
     */
    private static void assertTopicsAreReplicatedThreeTimes() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap()))) {
            Set<String> names = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                    .names().get(30, TimeUnit.SECONDS);
            assertThat(names).contains(Topics.ORDER_COMMANDS.name(), Topics.ENGINE_EVENTS.name(),
                    Topics.ENGINE_SNAPSHOTS.name(), "__consumer_offsets", "__transaction_state")
                    .anyMatch(n -> n.startsWith("marketstream-streams-") && n.endsWith("-changelog"));
            Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
            for (TopicDescription t : topics.values()) {
                t.partitions().forEach(p -> assertThat(p.replicas()).as(t.name()).hasSize(3));
            }
            assertThat(topics.get(Topics.ENGINE_EVENTS.name()).partitions()).hasSize(ClusterTopology.PARTITIONS);
            var config = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, Topics.ENGINE_EVENTS.name())))
                    .all().get(30, TimeUnit.SECONDS).values().iterator().next();
            assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
        }
    }

    /**
     * Every metric name the dashboard queries is in what the roles export. Closes are counted by code
     * once one happens, so the test provokes one (requests at over twice the allowed rate: 1008).
     */
    private static void assertDashboardMetricsAreExported() throws Exception {
        int edgePort = cluster.service("edge-1").port();
        WebSocketClient flooder = new WebSocketClient();
        flooder.start();
        try {
            org.eclipse.jetty.websocket.api.Session session = flooder.connect(
                    new org.eclipse.jetty.websocket.api.Session.Listener.AutoDemanding() { },
                    URI.create("ws://127.0.0.1:" + edgePort + "/ws")).get(10, TimeUnit.SECONDS);
            // queued at once, whatever the machine's speed: far over twice the 50 requests/s allowed
            for (int i = 0; i < 1_000 && session.isOpen(); i++) {
                session.sendText("{\"op\":\"subscribe\",\"id\":" + i + ",\"ch\":[\"trades.NOPE\"]}",
                        org.eclipse.jetty.websocket.api.Callback.from(() -> { }, e -> { }));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> String.valueOf(scrape(edgePort))
                    .contains("marketstream_edge_closes_total{code=\"1008\"}"));
        } finally {
            flooder.stop();
        }

        StringBuilder exported = new StringBuilder();
        for (String name : List.of("kafka-1", "engine-1", "streams-1", "edge-1", "traders")) {
            exported.append(scrape(cluster.service(name).metricsPort()));
        }
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(exported);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).containsAll(ComposeStackTest.dashboardMetricNames());
    }

    private static String scrape(int port) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Waits until the engines' committed offsets reach the end of every command partition. */
    private static void awaitEngineCaughtUp() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap()))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < ClusterTopology.PARTITIONS; p++) {
                partitions.add(new TopicPartition(Topics.ORDER_COMMANDS.name(), p));
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            await().atMost(PROGRESS).pollInterval(Duration.ofMillis(500)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("marketstream-engine")
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                return partitions.stream().allMatch(tp -> committed.get(tp) != null
                        && committed.get(tp).offset() >= ends.get(tp));
            });
        }
    }

    /** A base whose every port of the topology is free on the loopback interface now. */
    private static int freePortBase() {
        for (int base = 31_000; base <= 60_000; base += 1_000) {
            ClusterTopology.Settings s = new ClusterTopology.Settings(base, 30, null);
            boolean free = true;
            for (Service service : ClusterTopology.services(s, ClusterTopology.COMPOSE)) {
                for (int port : new int[] {service.port(), service.metricsPort()}) {
                    if (port > 0 && !isFree(port)) {
                        free = false;
                    }
                }
            }
            for (int node = 1; node <= ClusterTopology.KAFKA_NODES; node++) {
                free &= isFree(s.controllerPort(node));
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free port range for the cluster");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A trader of the test's own: funds its accounts, then sends limit and market orders on every market at
     * 20 per second, with idempotence and {@code acks=all}, and records the id of every command Kafka
     * acknowledged.
     */
    private static final class TrackedTrader {
        private final KafkaProducer<String, OrderCommand> producer;
        private final List<String> acked = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger failed = new AtomicInteger();
        private final Thread thread;

        TrackedTrader(String bootstrap) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            producer = new KafkaProducer<>(p, Topics.ORDER_COMMANDS.keySerde().serializer(),
                    Topics.ORDER_COMMANDS.valueSerde().serializer());
            thread = new Thread(this::run, "tracked-trader");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void send(OrderCommand command) {
            producer.send(new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), command.market(), command), (meta, e) -> {
                if (e == null) {
                    acked.add(command.commandId());
                } else {
                    failed.incrementAndGet();
                }
            });
        }

        private void run() {
            Random random = new Random(7);
            long ts = System.currentTimeMillis();
            for (MarketSpec m : CATALOG.all()) {
                for (long a = FIRST_ACCOUNT; a < FIRST_ACCOUNT + ACCOUNTS; a++) {
                    send(new Deposit("t-fund-" + m.symbol() + "-" + a + "-b", m.symbol(), a, m.base(), "10000", ts));
                    send(new Deposit("t-fund-" + m.symbol() + "-" + a + "-q", m.symbol(), a, m.quote(), "1000000000", ts));
                }
            }
            for (int i = 0; running.get() && i < MAX_TRACKED; i++) {
                MarketSpec m = CATALOG.all().get(i % CATALOG.all().size());
                long account = FIRST_ACCOUNT + random.nextInt(ACCOUNTS);
                Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
                String id = "t-" + i;
                String qty = m.formatQty(m.lotSize() * (1 + random.nextInt(20)) * 100);
                long now = System.currentTimeMillis();
                if (random.nextInt(10) == 0) {
                    send(new PlaceMarketOrder(id, m.symbol(), account, id, side, qty, now));
                } else {
                    long mid = m.symbol().startsWith("BTC") ? 50_000_00L : 3_000_00L;
                    long price = mid + (side == Side.BUY ? -1 : 1) * m.tickSize() * (random.nextInt(40) - 5);
                    send(new PlaceLimitOrder(id, m.symbol(), account, id, side, m.formatPrice(price - price % m.tickSize()),
                            qty, now));
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        List<String> acked() {
            synchronized (acked) {
                return new ArrayList<>(acked);
            }
        }

        /** Up to {@code n} commands acknowledged after the first {@code from}. */
        List<String> ackedSince(int from, int n) {
            List<String> all = acked();
            return all.subList(Math.min(from, all.size()), Math.min(from + n, all.size()));
        }

        void stop() {
            if (running.compareAndSet(true, false)) {
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                producer.flush();
                producer.close(Duration.ofSeconds(30));
                log.info("Tracked trader: {} acknowledged, {} failed sends", acked.size(), failed.get());
            }
        }
    }

    /**
     * The event topic as it is written, read from the start by a thread of its own: command ids seen,
     * each market's last sequence, and the book folded from the events (replays, a seq already seen,
     * dropped), which is the engine's book.
     */
    private static final class EventLog implements AutoCloseable {
        private final KafkaConsumer<String, EngineEvent> consumer;
        private final Set<String> commandIds = ConcurrentHashMap.newKeySet();
        private final Map<String, Long> lastSeq = new ConcurrentHashMap<>();
        private final Map<String, List<Long>> gaps = new ConcurrentHashMap<>();
        private final List<String> anomalies = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Map<String, Map<Side, NavigableMap<Long, Long>>> books = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger count = new AtomicInteger();
        private final Thread thread;
        private volatile Map<TopicPartition, Long> positions = Map.of();

        EventLog(String bootstrap) {
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumer = new KafkaConsumer<>(c, Topics.ENGINE_EVENTS.keySerde().deserializer(),
                    Topics.ENGINE_EVENTS.valueSerde().deserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < ClusterTopology.PARTITIONS; p++) {
                partitions.add(new TopicPartition(Topics.ENGINE_EVENTS.name(), p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            for (MarketSpec m : CATALOG.all()) {
                Map<Side, NavigableMap<Long, Long>> sides = new HashMap<>();
                sides.put(Side.BUY, new TreeMap<>(java.util.Comparator.reverseOrder()));
                sides.put(Side.SELL, new TreeMap<>());
                books.put(m.symbol(), sides);
            }
            thread = new Thread(this::run, "event-log");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            try {
                while (running.get()) {
                    for (ConsumerRecord<String, EngineEvent> r : consumer.poll(Duration.ofMillis(200))) {
                        apply(r.value());
                    }
                    Map<TopicPartition, Long> now = new HashMap<>();
                    for (TopicPartition tp : consumer.assignment()) {
                        now.put(tp, consumer.position(tp));
                    }
                    positions = now;
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                // closing
            }
        }

        private void apply(EngineEvent e) {
            if (e == null) {
                return;
            }
            count.incrementAndGet();
            commandIds.add(e.commandId());
            if (e.seq() == 0) {
                return;
            }
            long last = lastSeq.getOrDefault(e.market(), 0L);
            if (e.seq() <= last) {
                return;
            }
            if (e.seq() != last + 1) {
                gaps.computeIfAbsent(e.market(), k -> new ArrayList<>()).add(last + 1);
            }
            lastSeq.put(e.market(), e.seq());
            MarketSpec m = CATALOG.get(e.market());
            Map<Side, NavigableMap<Long, Long>> book = books.get(e.market());
            synchronized (book) {
                if (e instanceof OrderRested r) {
                    book.get(r.side()).merge(m.parsePrice(r.price()), m.parseQty(r.qty()), Long::sum);
                } else if (e instanceof Trade t) {
                    take(book.get(t.takerSide() == Side.BUY ? Side.SELL : Side.BUY), m.parsePrice(t.price()), m.parseQty(t.qty()));
                } else if (e instanceof OrderCancelled c && c.wasResting()) {
                    take(book.get(c.side()), m.parsePrice(c.price()), m.parseQty(c.remainingQty()));
                } else if (e instanceof OrderReduced r) {
                    take(book.get(r.side()), m.parsePrice(r.price()), m.parseQty(r.reducedBy()));
                }
            }
        }

        private void take(NavigableMap<Long, Long> side, long price, long qty) {
            long left = side.getOrDefault(price, 0L) - qty;
            if (left < 0) {
                anomalies.add("level " + price + " taken below zero by " + qty);
            }
            if (left <= 0) {
                side.remove(price);
            } else {
                side.put(price, left);
            }
        }

        /** Waits until the reader has reached the end of every partition as it is now. */
        void readToEnd() {
            Map<TopicPartition, Long> ends;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap()))) {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < ClusterTopology.PARTITIONS; p++) {
                    latest.put(new TopicPartition(Topics.ENGINE_EVENTS.name(), p), OffsetSpec.latest());
                }
                Map<TopicPartition, Long> e = new HashMap<>();
                admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> e.put(tp, info.offset()));
                ends = e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> ends.entrySet().stream()
                    .allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue()));
        }

        boolean containsAll(List<String> ids) {
            return commandIds.containsAll(ids);
        }

        Set<String> commandIds() {
            return commandIds;
        }

        Map<String, Long> lastSeqs() {
            Map<String, Long> out = new HashMap<>();
            for (MarketSpec m : CATALOG.all()) {
                out.put(m.symbol(), lastSeq.getOrDefault(m.symbol(), 0L));
            }
            return out;
        }

        int count() {
            return count.get();
        }

        void assertNoGaps() {
            assertThat(gaps).as("markets whose events skip a seq (first missing seq)").isEmpty();
            assertThat(anomalies).as("events taking more from a level than it holds").isEmpty();
        }

        NavigableMap<Long, Long> levels(MarketSpec m, Side side) {
            Map<Side, NavigableMap<Long, Long>> book = books.get(m.symbol());
            synchronized (book) {
                return new TreeMap<>(book.get(side));
            }
        }

        @Override
        public void close() {
            running.set(false);
            consumer.wakeup();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Deletes a directory tree (a previous run's). */
    private static final class EmbeddedDirs {
        static void deleteRecursively(Path dir) throws IOException {
            if (!Files.exists(dir)) {
                return;
            }
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
