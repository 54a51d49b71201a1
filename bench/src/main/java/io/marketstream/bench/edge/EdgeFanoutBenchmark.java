package io.marketstream.bench.edge;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import io.marketstream.bench.ChildJvm;
import io.marketstream.bench.ProcStats;
import io.marketstream.bench.PrometheusText;

import io.lettuce.core.RedisClient;
import io.marketstream.redis.RedisClients;
import io.marketstream.edge.EdgeConfig;
import io.marketstream.edge.EdgeNode;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.redis.RedisMarketDataPublisher;

/**
 * Issue 5's fan-out benchmark. This JVM is the server side: a real {@code redis-server}
 * ({@link EmbeddedRedis}), one production {@link EdgeNode} on 127.0.0.1, and a {@link BookPublisher}
 * that writes a book into Redis as the streams job does. The WebSocket clients run in a second JVM
 * ({@link FanoutLoad}, started here with the same class path and driven over its stdin/stdout), so that
 * the edge's heap and CPU are its own.
 *
 * <p>Scenarios ({@code --scenarios}):
 * <ul>
 *   <li>{@code idle}: {@code --connections} connections opened in {@code --steps} steps; after each, the
 *       edge JVM's heap after a full GC ({@code System.gc()}), against the heap before the first, gives the
 *       heap per connection (and the direct buffers and RSS beside it); then every connection subscribes to
 *       one quiet channel ({@code ticker.ETH-USD}, nothing published) and the heap is read again.</li>
 *   <li>{@code fanout}: {@code --subscribers} connections subscribe to {@code book.BTC-USD} (raw); for each
 *       of {@code --rates} (deltas per second; 0 = as fast as one synchronous publisher goes) the publisher
 *       runs {@code --warmup} seconds unmeasured, then {@code --seconds} measured: the load JVM counts book
 *       messages received per second and records receive time minus {@code ts} in an HdrHistogram; the
 *       edge's {@code /metrics} gives what it sent, conflated, resynced and closed; the CPU of each JVM, of
 *       {@code redis-server} and of the edge JVM's busiest threads is printed beside them. After each rate the
 *       publisher stops and the clients are given {@code --drain-seconds} to receive its last delta (the time
 *       it took is the backlog the edge had built up). A rate ramp ({@code --rates 100,200,500,1000}, lowest first: each rate
 *       starts once every client has the previous rate's last delta) ends with one {@code RAMP} line per rate: p50,
 *       p99, p99.9, both JVMs' CPU per delivered message, and whether p99 is under issue 5's 10 ms.</li>
 * </ul>
 * Prints figures; asserts nothing. Commands and results: {@code docs/performance.md}, "WebSocket edge
 * fan-out".
 */
public final class EdgeFanoutBenchmark {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final String BOOK = "book.BTC-USD";
    private static final String QUIET = "ticker.ETH-USD";

    private final Map<String, String> options;
    private final HttpClient http = HttpClient.newHttpClient();
    private EdgeNode edge;
    private EmbeddedRedis redis;

    private EdgeFanoutBenchmark(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--scenarios", "idle,fanout");
        options.put("--connections", "10000");
        options.put("--steps", "2");
        options.put("--subscribers", "1000");
        options.put("--rates", "1000,500,2000");
        options.put("--seconds", "20");
        options.put("--warmup", "5");
        options.put("--levels", "50");
        options.put("--port", "0");
        options.put("--load-jvm", "-Xmx1g -XX:+UseG1GC");
        options.put("--client", "netty");
        options.put("--loops", "1");
        options.put("--max-minutes", "30");
        options.put("--drain-seconds", "30");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!options.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + options.keySet());
            }
            options.put(args[i], args[i + 1]);
        }
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.MINUTES.toMillis(Long.parseLong(options.get("--max-minutes"))));
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("!! the benchmark did not finish within --max-minutes; halting (a jstack of a hung "
                    + "run shows where it waits)");
            Runtime.getRuntime().halt(2);
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        new EdgeFanoutBenchmark(options).run();
        System.exit(0);
    }

    private int intOption(String name) {
        return Integer.parseInt(options.get(name));
    }

    private void run() throws Exception {
        System.out.printf("options %s%n", options);
        System.out.printf("cores %d, JVM %s, edge JVM flags: %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.version(), String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        System.out.printf("max open files: %s; ephemeral ports: %s; load average: %s%n", maxOpenFiles(),
                String.join(" ", Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))).trim()
                        .replaceAll("\\s+", "-"),
                ProcStats.loadAverage());
        redis = EmbeddedRedis.start();
        RedisClient redisClient = RedisClients.create(redis.uri());
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(redisClient);
             BookPublisher book = new BookPublisher(CATALOG.get("BTC-USD"), publisher)) {
            book.snapshot(intOption("--levels"));
            EdgeConfig config = EdgeConfig.defaults(intOption("--port")).toBuilder()
                    .host("127.0.0.1")
                    .maxConnectionsPerIp(1_000_000)
                    .build();
            edge = new EdgeNode(config, CATALOG, redis.uri()).start();
            System.out.printf("edge listening on port %d (pid %d); config %s%n", edge.port(),
                    ProcessHandle.current().pid(), config);
            for (String scenario : options.get("--scenarios").split(",")) {
                switch (scenario) {
                    case "idle" -> idle();
                    case "fanout" -> fanout(book);
                    default -> throw new IllegalArgumentException("unknown scenario " + scenario);
                }
            }
        } finally {
            closeWithin(30, () -> {
                if (edge != null) {
                    edge.close();
                }
                redisClient.shutdown();
            });
            redis.close();
        }
    }

    /** Runs {@code close} on a thread of its own and gives up on it after {@code seconds}, saying so. */
    private static void closeWithin(int seconds, Runnable close) throws InterruptedException {
        Thread closer = new Thread(close, "closer");
        closer.setDaemon(true);
        closer.start();
        closer.join(TimeUnit.SECONDS.toMillis(seconds));
        if (closer.isAlive()) {
            System.out.printf("!! the edge node did not close within %d s; stacks of the threads involved:%n", seconds);
            for (var info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
                if (info.getLockOwnerName() != null) {
                    System.out.print(info);
                }
            }
        }
    }

    // ---------------------------------------------------------------- idle connections

    private void idle() throws Exception {
        int total = intOption("--connections");
        int steps = intOption("--steps");
        System.out.printf("%n== idle: %d connections in %d steps (load average %s)%n", total, steps, ProcStats.loadAverage());
        try (ChildJvm load = startLoad(edge.port())) {
            Footprint base = Footprint.measure(0);
            System.out.println("before: " + base);
            Map<String, long[]> histogramBefore = classHistogram();
            Footprint previous = base;
            int connected = 0;
            for (int step = 1; step <= steps; step++) {
                int n = total / steps + (step == steps ? total % steps : 0);
                load.ask("connect " + n, "connected", 300);
                connected += n;
                awaitEdgeConnections(connected);
                Footprint now = Footprint.measure(edgeConnections());
                System.out.println("after " + now.connections + " connections: " + now.against(base)
                        + "; this step alone: " + now.against(previous));
                previous = now;
            }
            load.ask("subscribe " + QUIET, "subscribed", 300);
            Thread.sleep(1_000);
            Footprint subscribed = Footprint.measure(edgeConnections());
            System.out.println("each also subscribed to " + QUIET + ": " + subscribed.against(base)
                    + "; the subscriptions alone: " + subscribed.against(previous, subscribed.connections));
            System.out.println("heap growth by class, per connection (GC.class_histogram, before the first connection "
                    + "to now):");
            printGrowth(histogramBefore, classHistogram(), subscribed.connections);
            System.out.printf("idle done (load average %s)%n", ProcStats.loadAverage());
        }
        awaitEdgeConnections(0);
    }

    /** The live objects of this JVM by class: instances and bytes (a full GC first, as jcmd's GC.class_histogram). */
    private static Map<String, long[]> classHistogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {null}, new String[] {String[].class.getName()});
        Map<String, long[]> out = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                out.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return out;
    }

    private static void printGrowth(Map<String, long[]> before, Map<String, long[]> after, int connections) {
        List<Map.Entry<String, long[]>> grown = new ArrayList<>();
        after.forEach((name, now) -> {
            long[] was = before.getOrDefault(name, new long[2]);
            grown.add(Map.entry(name, new long[] {now[0] - was[0], now[1] - was[1]}));
        });
        grown.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        long total = grown.stream().mapToLong(e -> e.getValue()[1]).sum();
        System.out.printf("  all classes: %.2f KiB per connection%n", total / 1024.0 / connections);
        for (Map.Entry<String, long[]> e : grown.subList(0, Math.min(20, grown.size()))) {
            System.out.printf("  %8.0f B %6.2f objects  %s%n", e.getValue()[1] / (double) connections,
                    e.getValue()[0] / (double) connections, e.getKey());
        }
    }

    private void awaitEdgeConnections(int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int now;
        while ((now = edgeConnections()) != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (now != expected) {
            System.out.printf("!! the edge counts %d connections, expected %d%n", now, expected);
        }
    }

    private int edgeConnections() throws Exception {
        return (int) PrometheusText.scrape(http, edge.port()).sum("marketstream_edge_connections", "");
    }

    /** The edge JVM's memory after a full collection, with the number of connections open then. */
    private record Footprint(int connections, long heap, long direct, long rss) {
        static Footprint measure(int connections) throws InterruptedException {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(300);
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
            return new Footprint(connections, heap, direct, ProcStats.rssBytes(ProcessHandle.current().pid()));
        }

        String against(Footprint before) {
            return against(before, connections - before.connections);
        }

        /** The growth since {@code before}, also divided by {@code n}. */
        String against(Footprint before, int n) {
            return String.format("heap %.1f MiB (+%.1f MiB, %.2f KiB per connection), direct buffers +%.1f MiB "
                            + "(%.2f KiB per connection), RSS +%.1f MiB (%.2f KiB per connection)",
                    heap / 1048576.0, (heap - before.heap) / 1048576.0, perConnection(heap - before.heap, n),
                    (direct - before.direct) / 1048576.0, perConnection(direct - before.direct, n),
                    (rss - before.rss) / 1048576.0, perConnection(rss - before.rss, n));
        }

        private static double perConnection(long bytes, int n) {
            return n == 0 ? 0 : bytes / 1024.0 / n;
        }

        @Override
        public String toString() {
            return String.format("heap %.1f MiB, direct buffers %.1f MiB, RSS %.1f MiB", heap / 1048576.0,
                    direct / 1048576.0, rss / 1048576.0);
        }
    }

    // ---------------------------------------------------------------- fan-out

    private void fanout(BookPublisher book) throws Exception {
        int subscribers = intOption("--subscribers");
        int warmup = intOption("--warmup");
        int seconds = intOption("--seconds");
        System.out.printf("%n== fanout: %d subscribers of %s (load average %s)%n", subscribers, BOOK, ProcStats.loadAverage());
        List<String> ramp = new ArrayList<>();
        try (ChildJvm load = startLoad(edge.port())) {
            load.ask("connect " + subscribers, "connected", 300);
            load.ask("subscribe " + BOOK, "subscribed", 300);
            for (String r : options.get("--rates").split(",")) {
                int rate = Integer.parseInt(r.trim());
                System.out.printf("%n-- %s deltas/s to %d subscribers, %d s warm-up, %d s measured (load average %s)%n",
                        rate == 0 ? "as many" : Integer.toString(rate), subscribers, warmup, seconds, ProcStats.loadAverage());
                book.start(rate);
                Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
                PrometheusText before = PrometheusText.scrape(http, edge.port());
                long publishedBefore = book.published();
                long behindBefore = book.behind();
                Map<String, Long> threadsBefore = ProcStats.threadCpu();
                long cpuBefore = ProcStats.ownCpuNanos();
                long redisBefore = redisCpuNanos();
                long edgePid = ProcessHandle.current().pid();
                long[] edgeIoBefore = syscalls(edgePid);
                long[] loadIoBefore = syscalls(load.pid());
                long start = System.nanoTime();
                String startUtc = java.time.LocalTime.now(java.time.ZoneOffset.UTC).withNano(0).toString();
                load.ask("measure", "measuring", 300);
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                Map<String, String> report = ChildJvm.pairs(load.ask("report", "report", 300));
                String endUtc = java.time.LocalTime.now(java.time.ZoneOffset.UTC).withNano(0).toString();
                double elapsed = (System.nanoTime() - start) / 1e9;
                long cpu = ProcStats.ownCpuNanos() - cpuBefore;
                long redisCpu = redisCpuNanos() - redisBefore;
                Map<String, Long> threads = ProcStats.threadCpuSince(threadsBefore);
                long[] edgeIo = minus(syscalls(edgePid), edgeIoBefore);
                long[] loadIo = minus(syscalls(load.pid()), loadIoBefore);
                long published = book.published() - publishedBefore;
                long behind = book.behind() - behindBefore;
                PrometheusText after = PrometheusText.scrape(http, edge.port());
                book.stop();
                Histogram lag = book.tsLagMicros();
                // every client must have the last delta before the next rate (or the clients' close) starts
                Map<String, String> drained = ChildJvm.pairs(load.ask("await " + book.lastSeq() + " "
                        + options.get("--drain-seconds"), "caughtup", 300));

                double publishedPerSecond = published / elapsed;
                long delivered = Long.parseLong(report.get("messages"));
                double deliveredPerSecond = Double.parseDouble(report.get("messages_per_s"));
                double sentBook = after.sum("marketstream_edge_messages_sent_total", "type=\"book\"")
                        - before.sum("marketstream_edge_messages_sent_total", "type=\"book\"");
                System.out.printf("published %.0f deltas/s (%d behind schedule by > 100 ms); ts lag (publish time - ts) "
                                + "p50 %d us, p99 %d us%n", publishedPerSecond, behind,
                        lag.getValueAtPercentile(50), lag.getValueAtPercentile(99));
                System.out.printf("DELIVERED %.0f messages/s across %d subscribers (%.1f%% of published x subscribers); "
                                + "edge sent %.0f book messages/s%n", deliveredPerSecond, subscribers,
                        100.0 * delivered / Math.max(1, published * (double) subscribers), sentBook / elapsed);
                System.out.printf("LATENCY event-to-client p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms "
                                + "(%s deltas)%n", ms(report, "p50_us"), ms(report, "p90_us"), ms(report, "p99_us"),
                        ms(report, "p999_us"), ms(report, "max_us"), report.get("latency_count"));
                System.out.printf("merged deltas %s (the deltas received covered %s events), resync snapshots %s, "
                                + "sequence gaps %s, open %s, closes %s; edge: upstream deltas merged while behind +%.0f, "
                                + "conflations +%.0f, resyncs +%.0f, closed by node %s%n", report.get("merged"),
                        report.get("events"), report.get("resyncs"), report.get("gaps"), report.get("open"), report.get("closes"),
                        after.sum("marketstream_edge_merged_deltas_total", "")
                                - before.sum("marketstream_edge_merged_deltas_total", ""),
                        after.sum("marketstream_edge_conflations_total", "")
                                - before.sum("marketstream_edge_conflations_total", ""),
                        after.sum("marketstream_edge_resyncs_total", "")
                                - before.sum("marketstream_edge_resyncs_total", ""),
                        after.series("marketstream_edge_closes_total"));
                long deliveredEvents = Long.parseLong(report.get("events"));
                System.out.printf("CPU over %.1f s: edge JVM %.2f s (%.0f%% of a core; %.2f us per delivered message, "
                                + "%.2f us per delivered event; includes the publisher), redis-server %.2f s, load JVM %s s "
                                + "(client %s)%n", elapsed, cpu / 1e9,
                        100.0 * cpu / 1e9 / elapsed, cpu / 1e3 / Math.max(1, delivered),
                        cpu / 1e3 / Math.max(1, deliveredEvents), redisCpu / 1e9, report.get("cpu_s"),
                        options.get("--client"));
                System.out.printf("measured %s to %s UTC%n", startUtc, endUtc);
                System.out.printf("edge JVM threads by CPU: %s%n", ProcStats.topThreads(threads, elapsed, 10));
                System.out.printf("SYSCALLS edge JVM: %.0f writes/s (%.2f book frames per write; the Redis clients' "
                                + "writes included), user %.2f s + kernel %.2f s; load JVM: %.0f reads/s (%.2f messages "
                                + "per read), user %.2f s + kernel %.2f s; CPU per delivered message: edge %.2f us, "
                                + "load %.2f us%n", edgeIo[1] / elapsed, sentBook / Math.max(1, edgeIo[1]),
                        edgeIo[2] / 1e9, edgeIo[3] / 1e9, loadIo[0] / elapsed, delivered / (double) Math.max(1, loadIo[0]),
                        loadIo[2] / 1e9, loadIo[3] / 1e9, cpu / 1e3 / Math.max(1, delivered),
                        (loadIo[2] + loadIo[3]) / 1e3 / Math.max(1, delivered));
                System.out.printf("after the publisher stopped, the last delta reached every client in %s ms "
                        + "(%s connections still behind)%n", drained.get("ms"), drained.get("behind"));
                System.out.printf("load average after: %s%n", ProcStats.loadAverage());
                double edgeUs = cpu / 1e3 / Math.max(1, delivered);
                double loadUs = (loadIo[2] + loadIo[3]) / 1e3 / Math.max(1, delivered);
                ramp.add(String.format("%8d %9.0f %10.0f %8.2f %8.2f %8.2f %7.2f %7.2f  %s", rate, publishedPerSecond,
                        deliveredPerSecond, ms(report, "p50_us"), ms(report, "p99_us"), ms(report, "p999_us"), edgeUs,
                        loadUs, ms(report, "p99_us") < RAMP_P99_MS ? "yes" : "no"));
                Thread.sleep(2_000);
            }
        }
        System.out.printf("%nRAMP %d subscribers (p99 < %.0f ms?); CPU per delivered message in us, user + kernel%n",
                subscribers, RAMP_P99_MS);
        System.out.println("  deltas/s published  delivered/s   p50 ms   p99 ms p99.9 ms    edge    load  p99 met");
        ramp.forEach(row -> System.out.println("RAMP " + row));
        awaitEdgeConnections(0);
    }

    /** The latency target of issue 5 (p99 event to client), marked against each rate in the ramp's summary. */
    private static final double RAMP_P99_MS = 10;

    /**
     * A process's read and write system calls so far ({@code syscr}, {@code syscw} of {@code /proc/<pid>/io}; a
     * {@code writev} counts as one write) and its user and kernel CPU time (ns, {@code /proc/<pid>/stat}).
     */
    private static long[] syscalls(long pid) {
        long[] out = new long[4];
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
                if (line.startsWith("syscr:")) {
                    out[0] = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("syscw:")) {
                    out[1] = Long.parseLong(line.substring(6).trim());
                }
            }
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of stat (utime, stime), in clock ticks of 10 ms
            out[2] = Long.parseLong(f[11]) * 10_000_000L;
            out[3] = Long.parseLong(f[12]) * 10_000_000L;
        } catch (java.io.IOException | RuntimeException e) {
            System.out.println("!! cannot read /proc/" + pid + ": " + e);
        }
        return out;
    }

    private static long[] minus(long[] a, long[] b) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    private static double ms(Map<String, String> report, String key) {
        return Long.parseLong(report.get(key)) / 1000.0;
    }

    private static String maxOpenFiles() {
        try {
            return Files.readAllLines(Path.of("/proc/self/limits")).stream().filter(l -> l.startsWith("Max open files"))
                    .map(l -> l.replaceAll("\\s+", " ").replace("Max open files ", "")).findFirst().orElse("?");
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static long redisCpuNanos() {
        return ProcStats.children(ProcessHandle.current().pid(), "redis").stream()
                .mapToLong(p -> ProcStats.cpuNanos(p.pid())).sum();
    }

    /** The load JVM ({@link FanoutLoad}). */
    private ChildJvm startLoad(int port) throws Exception {
        return ChildJvm.start(FanoutLoad.class, options.get("--load-jvm"), List.of("--port", Integer.toString(port),
                "--client", options.get("--client"), "--loops", options.get("--loops")), "load> ", 60);
    }
}
