package io.marketstream.bench.loadgen;

import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.marketstream.bench.ChildJvm;
import io.marketstream.bench.ProcStats;
import io.marketstream.bench.PrometheusText;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.kafka.Topics;

/**
 * The end-to-end load harness: the whole pipeline on real components, three kinds of process.
 * <ol>
 *   <li>The nodes ({@link LoadNodes}, a JVM of its own, plus its {@code redis-server}): Kafka, the engine, the
 *       streams job; and one edge, in a JVM of its own as in a deployment (or, {@code --edge-in-nodes}, in the
 *       nodes' JVM).</li>
 *   <li>The clients ({@link LoadClients}, another JVM): {@code --clients} production {@code MarketDataClient}s
 *       on one shared WebSocket client, each following the book and trades of {@code --markets-per-client}
 *       markets, every book message verified.</li>
 *   <li>This JVM: {@code --traders} simulated traders ({@link TraderFleet}) sending {@code --rate} commands a
 *       second to the engine's command topic, each stamped with its submission time; the engine's events
 *       followed ({@link EventFollower}); the engine's books rebuilt by replay ({@link EngineReference}).</li>
 * </ol>
 * A step runs the traders for {@code --warmup} unmeasured, then {@code --duration} measured: command-to-client
 * latency of every verified book delta (and, apart, of every trade) in an HdrHistogram, updates delivered per
 * second, connections held, resyncs and gaps, CPU and memory of each process. Then the traders stop, the
 * pipeline drains, and every client's book of every market is compared with the engine's: any mismatch makes
 * the exit code 1 (3 if some books were still not delivered when {@code --drain-timeout} ran out). With {@code --ramp} the steps go through {@code --ramp-rates} (shorter windows) and stop at
 * the first that is not sustained with p99 within {@code --ramp-p99-ms}; the rate before it is reported.
 * Prints a summary table; {@code --json} and {@code --plot} write it as JSON and as a percentile plot (PNG).
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.marketstream.bench.loadgen.LoadHarness --rate 1000
 * --traders 50 --clients 1000 --duration 30s --json out.json --plot out.png}. docs/performance.md has the runs.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
        description = "End-to-end load: simulated traders -> Kafka -> engine -> streams -> Redis -> edge -> "
                + "WebSocket clients, measured; exits 1 if any client's book differs from the engine's.")
public final class LoadHarness implements Callable<Integer> {
    @Option(names = "--rate", defaultValue = "1000", description = "Commands per second, all traders together (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--traders", defaultValue = "50", description = "Simulated traders (accounts) (default ${DEFAULT-VALUE}).")
    int traders;

    @Option(names = "--clients", defaultValue = "1000", description = "WebSocket clients, in a JVM of their own (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--markets-per-client", defaultValue = "1",
            description = "Markets each client follows (book and trades), handed out round-robin (default ${DEFAULT-VALUE}).")
    int marketsPerClient;

    @Option(names = "--duration", defaultValue = "30s", converter = DurationConverter.class,
            description = "Measured window (e.g. 30s, 2m, 500ms; default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "10s", converter = DurationConverter.class,
            description = "Traders run this long before the window; with --ramp, once before the first step "
                    + "(default ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--ramp", description = "Step through --ramp-rates instead of one --rate.")
    boolean ramp;

    @Option(names = "--ramp-rates", split = ",", defaultValue = "10,25,50,100,200,300,500,750,1000,1500,2000,3000,4000,6000,8000",
            description = "The ramp's command rates, in order (default ${DEFAULT-VALUE}).")
    List<Integer> rampRates;

    @Option(names = "--ramp-step", defaultValue = "10s", converter = DurationConverter.class,
            description = "Measured window of each ramp step (default ${DEFAULT-VALUE}).")
    Duration rampStep;

    @Option(names = "--ramp-warmup", defaultValue = "3s", converter = DurationConverter.class,
            description = "Warm-up of each ramp step (default ${DEFAULT-VALUE}).")
    Duration rampWarmup;

    @Option(names = "--ramp-p99-ms", defaultValue = "50", description = "A ramp step fails above this p99 (default ${DEFAULT-VALUE}).")
    double rampP99Ms;

    @Option(names = "--drain-timeout", defaultValue = "180s", converter = DurationConverter.class,
            description = "After the traders stop, how long the engine and the clients get to catch up (default ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(names = "--json", description = "Write the summary here as JSON.")
    Path json;

    @Option(names = "--plot", description = "Write the latency percentile distribution here as a PNG.")
    Path plot;

    @Option(names = "--nodes-jvm", defaultValue = "-Xmx2g -XX:+UseG1GC", description = "JVM options of the nodes' JVM (default ${DEFAULT-VALUE}).")
    String nodesJvm;

    @Option(names = "--edge-jvm", defaultValue = "-Xmx1g -XX:+UseG1GC",
            description = "JVM options of the edge's own JVM (default ${DEFAULT-VALUE}).")
    String edgeJvmOptions;

    @Option(names = "--edge-in-nodes", description = "Run the edge in the nodes' JVM instead of a JVM of its own "
            + "(it then shares Lettuce's event-loop threads with the streams job).")
    boolean edgeInNodes;

    @Option(names = "--clients-jvm", defaultValue = "-Xmx2g -XX:+UseG1GC", description = "JVM options of the clients' JVM (default ${DEFAULT-VALUE}).")
    String clientsJvmOptions;

    @Option(names = "--clients-nice", defaultValue = "0",
            description = "Scheduling priority (nice, 0..19) of the clients' JVM: above 0 the nodes and the edge get the "
                    + "cores first, as if the clients ran on machines of their own (default ${DEFAULT-VALUE}).")
    int clientsNice;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the traders' choices (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-minutes", defaultValue = "30", description = "Halts a run that takes longer (default ${DEFAULT-VALUE}).")
    int maxMinutes;

    private final MarketCatalog catalog = MarketCatalog.defaults();
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Histogram> histograms = new LinkedHashMap<>();
    private ChildJvm nodes;
    /** The edge's own JVM, or null when it runs in the nodes' JVM. */
    private ChildJvm edge;
    private ChildJvm clientProcess;
    private long redisPid;
    private int edgePort;
    private String bootstrap;
    private Admin admin;
    private TraderFleet fleet;
    private EventFollower follower;
    private EngineReference reference;
    private StageProbes probes;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the harness with these arguments and returns its exit code: 0 when every client's book matched the
     * engine's, 1 on a mismatch, 3 when some books were not delivered within the drain timeout (and the others
     * matched), 2 on bad options or when the run itself failed (the error is printed).
     */
    public static int run(String... args) {
        return new CommandLine(new LoadHarness())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("loadgen failed: " + e);
                    e.printStackTrace(cmd.getErr());
                    return 2;
                })
                .execute(args);
    }

    @Override
    public Integer call() throws Exception {
        validate();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.MINUTES.toMillis(maxMinutes));
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("!! the load harness did not finish within --max-minutes; stopping its processes");
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            Runtime.getRuntime().halt(2);
        }, "loadgen-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            LoadSummary summary = runAll();
            LoadSummaryReport.print(summary, System.out);
            if (json != null) {
                if (json.getParent() != null) {
                    Files.createDirectories(json.getParent());
                }
                Json.mapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), summary);
                System.out.println("summary written to " + json);
            }
            if (plot != null) {
                LatencyPlot.write(plot, String.format("command-to-client latency, %d clients%s", clients,
                        ramp ? ", ramp" : ", " + rate + " commands/s"), histograms,
                        ramp ? Map.of("p99 limit " + rampP99Ms + " ms", rampP99Ms) : targets());
                System.out.println("plot written to " + plot);
            }
            return !summary.booksMatch() ? 1 : !summary.booksDelivered() ? 3 : 0;
        } finally {
            watchdog.interrupt();
            shutdown();
        }
    }

    /** The latency targets for the fixed-rate run, drawn on its plot. */
    private static Map<String, Double> targets() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("p50 target 5 ms", 5.0);
        out.put("p99 target 10 ms", 10.0);
        return out;
    }

    private void validate() {
        CommandLine cmd = new CommandLine(this);
        if (rate < 1 || traders < 1 || clients < 1 || marketsPerClient < 1) {
            throw new CommandLine.ParameterException(cmd, "--rate, --traders, --clients and --markets-per-client must be at least 1");
        }
        if (duration.isZero() || duration.isNegative() || warmup.isNegative() || rampStep.isZero()
                || drainTimeout.isZero() || rampP99Ms <= 0 || maxMinutes < 1) {
            throw new CommandLine.ParameterException(cmd, "durations and limits must be positive");
        }
        if (ramp && (rampRates.isEmpty() || rampRates.stream().anyMatch(r -> r < 1))) {
            throw new CommandLine.ParameterException(cmd, "--ramp-rates must be positive rates");
        }
    }

    private LoadSummary runAll() throws Exception {
        String started = Instant.now().toString();
        LoadSummary.Machine machine = new LoadSummary.Machine(Runtime.getRuntime().availableProcessors(),
                Runtime.version().toString(), System.getProperty("os.name") + " " + System.getProperty("os.version")
                + " " + System.getProperty("os.arch"), ProcStats.loadAverage());
        System.out.printf("loadgen %s: %s%n", started, machine);
        startProcesses();
        List<LoadSummary.Step> steps = new ArrayList<>();
        LoadSummary.Ramp rampResult = null;
        if (ramp) {
            Integer highest = null;
            Integer failedAt = null;
            String why = "every rate was sustained";
            warmUp(rampRates.get(0));
            for (int stepRate : rampRates) {
                LoadSummary.Step step = step(stepRate, rampWarmup, rampStep, "ramp " + stepRate + "/s");
                steps.add(step);
                if (Boolean.TRUE.equals(step.sustained())) {
                    highest = stepRate;
                } else {
                    failedAt = stepRate;
                    why = step.notSustainedWhy();
                    break;
                }
            }
            rampResult = new LoadSummary.Ramp(clients, rampP99Ms, highest, failedAt, why);
        } else {
            steps.add(step(rate, warmup, duration, rate + " commands/s"));
        }
        boolean match = steps.stream().allMatch(s -> s.check().mismatches() == 0 && s.check().replayMatchesEngine());
        boolean delivered = steps.stream().allMatch(s -> s.check().behind() == 0);
        String verdict = !match ? "BOOK MISMATCH: see the check"
                : !delivered ? "NOT EVERY BOOK WAS DELIVERED within --drain-timeout (those that were equal the engine's)"
                : "every client's book equals the engine's";
        return new LoadSummary(started, machine, options(), steps, rampResult, match, delivered, verdict);
    }

    private Map<String, Object> options() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", ramp ? "ramp" : "fixed");
        if (ramp) {
            out.put("rampRates", rampRates);
            out.put("rampStep", rampStep.toString());
            out.put("rampWarmup", rampWarmup.toString());
            out.put("rampP99Ms", rampP99Ms);
        } else {
            out.put("rate", rate);
            out.put("duration", duration.toString());
            out.put("warmup", warmup.toString());
        }
        out.put("traders", traders);
        out.put("clients", clients);
        out.put("marketsPerClient", marketsPerClient);
        out.put("markets", catalog.all().stream().map(m -> m.symbol()).toList());
        out.put("nodesJvm", nodesJvm);
        out.put("edgeJvm", edgeInNodes ? "in the nodes JVM" : edgeJvmOptions);
        out.put("clientsJvm", clientsJvmOptions);
        out.put("clientsNice", clientsNice);
        out.put("seed", seed);
        return out;
    }

    private void startProcesses() throws Exception {
        long start = System.nanoTime();
        nodes = ChildJvm.start(LoadNodes.class, nodesJvm, List.of("--role", edgeInNodes ? "all" : "core"), "nodes> ",
                240);
        Map<String, String> ready = ChildJvm.pairs(nodes.readyLine());
        bootstrap = ready.get("bootstrap");
        edgePort = Integer.parseInt(ready.get("port"));
        redisPid = Long.parseLong(ready.getOrDefault("redis_pid", "0"));
        if (!edgeInNodes) {
            edge = ChildJvm.start(LoadNodes.class, edgeJvmOptions, List.of("--role", "edge", "--redis", ready.get("redis")),
                    "edge> ", 120);
            edgePort = Integer.parseInt(ChildJvm.pairs(edge.readyLine()).get("port"));
        }
        System.out.printf("nodes up in %d ms: Kafka %s, edge port %d, redis-server pid %d%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), bootstrap, edgePort, redisPid);
        admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
        fleet = new TraderFleet(bootstrap, catalog.all(), traders, seed);
        probes = new StageProbes(ready.get("redis"), catalog);
        follower = new EventFollower(bootstrap, catalog, fleet, probes);
        fleet.ackLatency = probes.commandAck;
        reference = new EngineReference(bootstrap, catalog);
        fleet.fund();
        awaitEngine();
        clientProcess = ChildJvm.start(LoadClients.class, clientsNice, clientsJvmOptions, List.of("--port", Integer.toString(edgePort),
                "--clients", Integer.toString(clients), "--markets-per-client", Integer.toString(marketsPerClient)),
                "clients> ", 120);
        Map<String, String> connected = ChildJvm.pairs(clientProcess.ask("connect", "connected", 600));
        if (!"0".equals(connected.get("without_snapshot")) || !"0".equals(connected.get("failed"))) {
            throw new IllegalStateException("not every client connected and got its snapshots: " + connected);
        }
    }

    /**
     * Before the ramp's first step: the traders run {@code --warmup} at the first rate, unmeasured, so that the
     * first step does not measure the JIT compiling the pipeline; then the pipeline drains.
     */
    private void warmUp(int firstRate) throws Exception {
        if (warmup.isZero()) {
            return;
        }
        System.out.printf("%n== warm-up: %d commands/s for %s, unmeasured (load average %s)%n", firstRate, warmup,
                ProcStats.loadAverage());
        fleet.start(firstRate);
        Thread.sleep(warmup.toMillis());
        fleet.stop();
        LoadSummary.Drain drained = drain();
        System.out.printf("warm-up drained: engine %d ms, clients %d ms (%d books behind)%n", drained.engineMs(),
                drained.clientsMs(), drained.booksBehind());
    }

    /**
     * One step: traders at {@code stepRate} for the warm-up, then the measured window, then stop, drain and check.
     */
    private LoadSummary.Step step(int stepRate, Duration stepWarmup, Duration window, String label) throws Exception {
        System.out.printf("%n== %s: %d traders, %d clients, warm-up %s, window %s (load average %s)%n", label, traders,
                clients, stepWarmup, window, ProcStats.loadAverage());
        String loadBefore = ProcStats.loadAverage();
        fleet.start(stepRate);
        Thread.sleep(stepWarmup.toMillis());
        Map<String, Long> cpuBefore = cpu();
        long selfCpuBefore = ProcStats.ownCpuNanos();
        PrometheusText edgeBefore = PrometheusText.scrape(http, edgePort);
        long sentBefore = fleet.sent();
        long ackedBefore = fleet.acked();
        long failedBefore = fleet.failed();
        long lateBefore = fleet.late();
        Map<String, Long> rejectionsBefore = follower.rejections();
        nodes.ask("threads-reset", "threads-reset", 30);
        if (edge != null) {
            edge.ask("threads-reset", "threads-reset", 30);
        }
        long start = System.nanoTime();
        probes.reset();
        clientProcess.ask("measure", "measuring", 60);
        Thread.sleep(window.toMillis());
        Map<String, String> report = ChildJvm.pairs(clientProcess.ask("report", "report", 120));
        double seconds = (System.nanoTime() - start) / 1e9;
        LoadSummary.Stages stages = new LoadSummary.Stages(LoadSummary.Latency.of(probes.commandAck.getIntervalHistogram()),
                LoadSummary.Latency.of(probes.engineIn.getIntervalHistogram()),
                LoadSummary.Latency.of(probes.engineOut.getIntervalHistogram()),
                LoadSummary.Latency.of(probes.engineEventSince()), LoadSummary.Latency.of(probes.redisPublishSince()));
        Map<String, Long> cpuAfter = cpu();
        long selfCpu = ProcStats.ownCpuNanos() - selfCpuBefore;
        PrometheusText edgeAfter = PrometheusText.scrape(http, edgePort);
        long sent = fleet.sent() - sentBefore;
        List<String> threadLines = new ArrayList<>(nodes.askAll("threads", "threads", 30));
        if (edge != null) {
            threadLines.addAll(edge.askAll("threads", "threads", 30).stream().map(l -> l.replace("name=", "name=edge:"))
                    .toList());
        }
        String loadAfter = ProcStats.loadAverage();
        fleet.stop();
        long acked = fleet.acked() - ackedBefore;

        Histogram book = decode(report.get("book_hist"));
        Histogram trade = decode(report.get("trade_hist"));
        histograms.put(label, book);
        Histogram stamp = fleet.stampLagMicros();
        LoadSummary.Traders tradersFigures = new LoadSummary.Traders(traders, sent, sent / seconds, acked,
                fleet.failed() - failedBefore, fleet.late() - lateBefore, stamp.getValueAtPercentile(50),
                stamp.getValueAtPercentile(99), since(follower.rejections(), rejectionsBefore));
        long deltas = Long.parseLong(report.get("deltas"));
        long tradeCount = Long.parseLong(report.get("trades"));
        long tickerCount = Long.parseLong(report.get("tickers"));
        LoadSummary.Delivery delivery = new LoadSummary.Delivery(deltas, tradeCount, tickerCount,
                Long.parseLong(report.get("trade_gaps")), (deltas + tradeCount + tickerCount) / seconds,
                Long.parseLong(report.get("snapshots")), Long.parseLong(report.get("gap_resyncs")),
                Long.parseLong(report.get("checksum_resyncs")), Long.parseLong(report.get("edge_resyncs")), clients,
                Integer.parseInt(report.get("open")), edgeAfter.sum("marketstream_edge_connections", ""),
                Long.parseLong(report.get("closed")),
                edgeAfter.sum("marketstream_edge_conflations_total", "")
                        - edgeBefore.sum("marketstream_edge_conflations_total", ""),
                edgeAfter.sum("marketstream_edge_resyncs_total", "") - edgeBefore.sum("marketstream_edge_resyncs_total", ""),
                edgeAfter.series("marketstream_edge_closes_total"));
        List<LoadSummary.ProcessFigures> processes = new ArrayList<>();
        processes.add(figures(edge == null ? "nodes JVM (Kafka, engine, streams, edge)" : "nodes JVM (Kafka, engine, streams)",
                nodes.pid(), cpuAfter.get("nodes") - cpuBefore.get("nodes"), seconds));
        if (edge != null) {
            processes.add(figures("edge JVM", edge.pid(), cpuAfter.get("edge") - cpuBefore.get("edge"), seconds));
        }
        processes.add(figures("redis-server", redisPid, cpuAfter.get("redis") - cpuBefore.get("redis"), seconds));
        processes.add(figures("clients JVM (" + clients + " clients)", clientProcess.pid(),
                Long.parseLong(report.get("cpu_ns")), seconds));
        processes.add(figures("harness JVM (traders, event follower)", ProcessHandle.current().pid(), selfCpu, seconds));

        LoadSummary.Drain drain = drain();
        LoadSummary.BookCheck check = check();
        LoadSummary.Latency bookLatency = LoadSummary.Latency.of(book);
        String why = null;
        if (ramp) {
            if (bookLatency.p99() > rampP99Ms) {
                why = String.format("p99 %.1f ms > %.1f ms at %d commands/s", bookLatency.p99(), rampP99Ms, stepRate);
            } else if (tradersFigures.perSecond() < 0.95 * stepRate) {
                why = String.format("the traders sent only %.0f of %d commands/s", tradersFigures.perSecond(), stepRate);
            } else if (drain.booksBehind() > 0) {
                why = drain.booksBehind() + " books not delivered within the drain timeout";
            } else if (check.mismatches() > 0 || !check.replayMatchesEngine()) {
                why = "book mismatch";
            } else if (book.getTotalCount() == 0) {
                why = "no book delta was received";
            }
        }
        LoadSummary.Step step = new LoadSummary.Step(stepRate, seconds, loadBefore, loadAfter, tradersFigures,
                bookLatency, LoadSummary.Latency.of(trade), stages, delivery, processes, busiest(threadLines, seconds), drain,
                check, ramp ? why == null : null, why);
        LoadSummaryReport.printStep(step, System.out);
        return step;
    }

    private Map<String, Long> cpu() {
        return Map.of("nodes", ProcStats.cpuNanos(nodes.pid()), "redis", ProcStats.cpuNanos(redisPid),
                "edge", edge == null ? 0L : ProcStats.cpuNanos(edge.pid()));
    }

    private static LoadSummary.ProcessFigures figures(String name, long pid, long cpuNanos, double seconds) {
        return new LoadSummary.ProcessFigures(name, pid, cpuNanos / 1e9, 100.0 * cpuNanos / 1e9 / seconds,
                ProcStats.rssBytes(pid) / 1048576.0, ProcStats.peakRssBytes(pid) / 1048576.0);
    }

    private static Map<String, Long> since(Map<String, Long> now, Map<String, Long> before) {
        Map<String, Long> out = new LinkedHashMap<>();
        now.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    /** The nodes' (and edge's) busiest threads (pools summed) over the window, as "name 42%" of a core. */
    private static String busiest(List<String> lines, double seconds) {
        Map<String, Long> threads = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.startsWith("thread ")) {
                Map<String, String> p = ChildJvm.pairs(line);
                threads.put(p.get("name"), Long.parseLong(p.get("cpu_ns")));
            }
        }
        return ProcStats.topThreads(threads, seconds, 8);
    }

    private static Histogram decode(String base64) throws DataFormatException {
        return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    }

    /** Waits for the engine to take every command, the follower to read every event, then every client's books. */
    private LoadSummary.Drain drain() throws Exception {
        long start = System.nanoTime();
        awaitEngine();
        long engineMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        StringBuilder target = new StringBuilder();
        catalog.all().forEach(m -> target.append(target.length() == 0 ? "" : ",").append(m.symbol()).append('=')
                .append(follower.lastBookSeq(m.symbol())));
        Map<String, String> caughtUp = ChildJvm.pairs(clientProcess.ask("await " + target + " " + drainTimeout.toSeconds(),
                "caughtup", (int) drainTimeout.toSeconds() + 60));
        return new LoadSummary.Drain(engineMs, Long.parseLong(caughtUp.get("ms")), Long.parseLong(caughtUp.get("behind")));
    }

    /** Until the engine's committed offsets reach the command topic's end and the follower the event topic's end. */
    private void awaitEngine() throws Exception {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        Map<TopicPartition, Long> commandsEnd = endOffsets(Topics.ORDER_COMMANDS.name());
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(LoadNodes.ENGINE_GROUP)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            boolean done = commandsEnd.entrySet().stream().allMatch(e -> e.getValue() == 0
                    || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue()));
            if (done) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the engine did not take every command within " + drainTimeout
                        + ": committed " + committed + ", end " + commandsEnd);
            }
            Thread.sleep(50);
        }
        Map<TopicPartition, Long> eventsEnd = endOffsets(Topics.ENGINE_EVENTS.name());
        while (!follower.hasRead(eventsEnd)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the event follower did not reach " + eventsEnd);
            }
            Thread.sleep(20);
        }
    }

    private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /** The engine's books by replay, checked against its published events, then against every client's. */
    private LoadSummary.BookCheck check() throws Exception {
        reference.catchUp(endOffsets(Topics.ORDER_COMMANDS.name()), drainTimeout);
        String problem = reference.matches(follower.summary());
        List<String> lines = clientProcess.askAll("check " + reference.referenceJson(), "checked", 120);
        Map<String, String> checked = ChildJvm.pairs(lines.get(lines.size() - 1));
        List<String> mismatchLines = lines.stream().filter(l -> l.startsWith("mismatch") || l.startsWith("behind"))
                .toList();
        return new LoadSummary.BookCheck(reference.commands(), problem == null, problem, reference.bookSeqs(),
                reference.depth(), Long.parseLong(checked.get("books")), Long.parseLong(checked.get("mismatches")),
                Long.parseLong(checked.get("behind")), mismatchLines);
    }

    private void shutdown() {
        try {
            if (fleet != null) {
                fleet.close();
            }
            if (follower != null) {
                follower.close();
            }
            if (reference != null) {
                reference.close();
            }
            if (probes != null) {
                probes.close();
            }
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
            if (clientProcess != null) {
                clientProcess.close(45);
            }
            if (edge != null) {
                edge.close(60);
            }
            if (nodes != null) {
                nodes.close(90);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code 30s}, {@code 2m}, {@code 500ms}, {@code 1h}; a plain number is seconds. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(v);
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 30s, 2m, 500ms)");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
    }
}
