package io.marketstream.bench.loadgen;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.JsonNode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.WebSocketSessionListener;
import org.eclipse.jetty.websocket.client.WebSocketClient;

import io.marketstream.bench.ChildJvm;
import io.marketstream.bench.EpochMicros;
import io.marketstream.bench.ProcStats;
import io.marketstream.client.MarketDataListener;
import io.marketstream.client.MarketDataClient;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.GapMessage;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * The client side of the {@link LoadHarness}, in a JVM of its own: {@code --clients} production
 * {@link MarketDataClient}s on one shared Jetty {@link WebSocketClient}, each subscribed to the book (snapshot
 * and deltas, every one verified by sequence and checksum) and trades of {@code --markets-per-client}
 * markets, handed out round-robin. Driven over stdin, one command a line, each answered with one line of
 * {@code key=value} pairs:
 * <ul>
 *   <li>{@code connect}: connects and subscribes every client, and waits for every book's snapshot;</li>
 *   <li>{@code measure}: starts a measurement window (counters and histograms reset);</li>
 *   <li>{@code report}: ends it: verified book messages and trades received, command-to-client latency
 *       (receive time minus the message's {@code ts}, µs, of every verified delta; a snapshot's {@code ts}
 *       is not a command's) as a compressed, base64 HdrHistogram, trade latency likewise, resyncs by reason,
 *       resync snapshots the edge sent, open and closed connections, this JVM's CPU time;</li>
 *   <li>{@code await <market>=<u>,… <seconds>}: waits until every client's book of each market is verified at
 *       {@code u} (the last book change the engine made), or the time is up;</li>
 *   <li>{@code check <json>}: compares every client's verified book with the engine's ({@code {"<market>":
 *       {"u":…,"bids":[[price,qty],…],"asks":[…]}}}, scaled longs) and prints one {@code mismatch} line for each
 *       of the first 20 books that differ and one {@code behind} line for each of the first 20 not yet verified at
 *       the engine's sequence, then {@code checked clients=… books=… mismatches=… behind=…};</li>
 *   <li>{@code quit}: closes every client and exits (also when stdin closes: the parent died).</li>
 * </ul>
 */
public final class LoadClients {
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final MarketCatalog catalog = MarketCatalog.defaults();
    private final URI uri;
    private final int count;
    private final int marketsPerClient;
    private final HttpClient http;
    private final WebSocketClient ws;
    private final List<Client> clients = new ArrayList<>();
    private final Recorder bookLatency = new Recorder(MAX_MICROS, 3);
    private final Recorder tradeLatency = new Recorder(MAX_MICROS, 3);
    private final LongAdder deltas = new LongAdder();
    private final LongAdder snapshots = new LongAdder();
    private final LongAdder edgeResyncs = new LongAdder();
    private final LongAdder trades = new LongAdder();
    private final LongAdder tickers = new LongAdder();
    private final LongAdder tradeGaps = new LongAdder();
    private final LongAdder gapResyncs = new LongAdder();
    private final LongAdder checksumResyncs = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private long cpuAtMeasure;
    private long nanosAtMeasure;

    /** One client and the markets it follows. */
    private record Client(int index, MarketDataClient client, List<String> markets) {
    }

    private LoadClients(int port, int count, int marketsPerClient) throws Exception {
        this.uri = URI.create("ws://127.0.0.1:" + port + "/ws");
        this.count = count;
        this.marketsPerClient = marketsPerClient;
        QueuedThreadPool threads = new QueuedThreadPool(16, 4);
        threads.setName("clients");
        threads.setDaemon(true);
        http = new HttpClient();
        http.setExecutor(threads);
        http.setMaxConnectionsPerDestination(Math.max(64, count));
        http.setConnectTimeout(30_000);
        ws = new WebSocketClient(http);
        ws.setIdleTimeout(Duration.ofMinutes(10));
        ws.setMaxTextMessageSize(16 * 1024 * 1024);
        ws.addSessionListener(new WebSocketSessionListener() {
            @Override
            public void onWebSocketSessionClosed(Session session) {
                closed.increment();
            }
        });
        ws.start();
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        int count = 10;
        int marketsPerClient = 1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--clients" -> count = Integer.parseInt(args[i + 1]);
                case "--markets-per-client" -> marketsPerClient = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        LoadClients load = new LoadClients(port, count, marketsPerClient);
        System.out.println("ready pid=" + ProcessHandle.current().pid() + " jvm=\""
                + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()) + "\"");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+", 2);
            try {
                switch (words[0]) {
                    case "connect" -> load.connect();
                    case "measure" -> load.measure();
                    case "report" -> load.report();
                    case "await" -> {
                        String[] rest = words[1].split("\\s+");
                        load.await(rest[0], Integer.parseInt(rest[1]));
                    }
                    case "check" -> load.check(words[1]);
                    case "quit" -> {
                        load.quit();
                        System.exit(0);
                    }
                    default -> System.out.println("error unknown=" + words[0]);
                }
            } catch (RuntimeException e) {
                System.out.println("error command=" + words[0] + " " + String.valueOf(e).replace(' ', '_'));
                e.printStackTrace();
            }
            System.out.flush();
        }
        load.quit();
        System.exit(0);
    }

    private void connect() throws Exception {
        long start = System.nanoTime();
        List<MarketSpec> markets = catalog.all();
        int perClient = Math.max(1, Math.min(marketsPerClient, markets.size()));
        ExecutorService connecting = Executors.newFixedThreadPool(8);
        List<Future<Client>> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            List<String> own = new ArrayList<>();
            for (int m = 0; m < perClient; m++) {
                own.add(markets.get((index + m) % markets.size()).symbol());
            }
            pending.add(connecting.submit(() -> {
                MarketDataClient client = new MarketDataClient(catalog, new Listener(), ws)
                        .connect(uri, Duration.ofSeconds(60));
                own.forEach(market -> {
                    client.subscribe(market);
                    client.subscribeTicker(market);
                });
                return new Client(index, client, own);
            }));
        }
        int failed = 0;
        for (Future<Client> f : pending) {
            try {
                clients.add(f.get(120, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                if (++failed <= 3) {
                    System.err.println("a client could not connect: " + e.getCause());
                }
            }
        }
        connecting.shutdown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long waiting;
        while ((waiting = clients.stream().filter(c -> c.markets.stream().anyMatch(m -> c.client.sequence(m) < 0))
                .count()) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        System.out.printf("connected clients=%d failed=%d without_snapshot=%d open=%d ms=%d%n", clients.size(), failed,
                waiting, ws.getOpenSessions().size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private void measure() {
        for (LongAdder a : List.of(deltas, snapshots, edgeResyncs, trades, tickers, tradeGaps, gapResyncs, checksumResyncs)) {
            a.reset();
        }
        bookLatency.reset();
        tradeLatency.reset();
        cpuAtMeasure = ProcStats.ownCpuNanos();
        nanosAtMeasure = System.nanoTime();
        System.out.println("measuring");
    }

    private void report() {
        double seconds = (System.nanoTime() - nanosAtMeasure) / 1e9;
        Histogram book = bookLatency.getIntervalHistogram();
        Histogram trade = tradeLatency.getIntervalHistogram();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seconds", String.format("%.3f", seconds));
        out.put("deltas", deltas.sum());
        out.put("snapshots", snapshots.sum());
        out.put("edge_resyncs", edgeResyncs.sum());
        out.put("trades", trades.sum());
        out.put("tickers", tickers.sum());
        out.put("trade_gaps", tradeGaps.sum());
        out.put("gap_resyncs", gapResyncs.sum());
        out.put("checksum_resyncs", checksumResyncs.sum());
        out.put("resyncs_total", clients.stream().mapToLong(c -> c.client.resyncs()).sum());
        out.put("open", ws.getOpenSessions().size());
        out.put("closed", closed.sum());
        out.put("cpu_ns", ProcStats.ownCpuNanos() - cpuAtMeasure);
        out.put("book_hist", encode(book));
        out.put("trade_hist", encode(trade));
        StringBuilder line = new StringBuilder("report");
        out.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        System.out.println(line);
    }

    private static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    /** {@code spec} is {@code market=u,market=u}. */
    private void await(String spec, int seconds) throws InterruptedException {
        Map<String, Long> target = new HashMap<>();
        for (String pair : spec.split(",")) {
            String[] kv = pair.split("=");
            target.put(kv[0], Long.parseLong(kv[1]));
        }
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        long behind;
        while ((behind = behind(target)) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        System.out.printf("caughtup behind=%d ms=%d%n", behind, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** Books (client × market) not yet verified at their market's target sequence. */
    private long behind(Map<String, Long> target) {
        long n = 0;
        for (Client c : clients) {
            for (String m : c.markets) {
                if (c.client.sequence(m) < target.getOrDefault(m, 0L)) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Compares every book with the reference. A book verified at an older sequence than the engine's last book
     * change has not been delivered everything yet: it is counted as {@code behind}, not compared. A book at the
     * engine's sequence whose levels differ, or at any other sequence, is a {@code mismatch}.
     */
    private void check(String json) {
        JsonNode reference = Json.read(json, JsonNode.class);
        long books = 0;
        long mismatches = 0;
        long behind = 0;
        Map<String, Long> reasons = new TreeMap<>();
        for (Client c : clients) {
            for (String market : c.markets) {
                books++;
                JsonNode expected = reference.get(market);
                String problem;
                boolean late = false;
                if (expected == null) {
                    problem = "no_reference_book";
                } else {
                    long u = c.client.sequence(market);
                    long engineU = expected.get("u").asLong();
                    if (u < engineU) {
                        late = true;
                        problem = "at_sequence_" + u + "_of_" + engineU;
                    } else if (u != engineU) {
                        problem = "sequence_" + u + "_past_the_engines_" + engineU;
                    } else {
                        problem = differs(Side.BUY, c.client.levels(market, Side.BUY), expected.get("bids"));
                        if (problem == null) {
                            problem = differs(Side.SELL, c.client.levels(market, Side.SELL), expected.get("asks"));
                        }
                    }
                }
                if (problem != null) {
                    long n = late ? ++behind : ++mismatches;
                    reasons.merge((late ? "behind:" : "mismatch:") + problem.replaceAll("[0-9]+", "#"), 1L, Long::sum);
                    if (n <= 20) {
                        System.out.printf("%s client=%d market=%s reason=%s%n", late ? "behind" : "mismatch", c.index,
                                market, problem);
                    }
                }
            }
        }
        System.out.printf("checked clients=%d books=%d mismatches=%d behind=%d reasons=%s%n", clients.size(), books,
                mismatches, behind, reasons.toString().replace(' ', '_'));
    }

    /** Null if the client's side equals the expected {@code [[price, qty], …]} (best first), else what differs. */
    private static String differs(Side side, NavigableMap<Long, Long> actual, JsonNode expected) {
        if (actual.size() != expected.size()) {
            return side + "_levels_" + actual.size() + "_expected_" + expected.size();
        }
        Iterator<Map.Entry<Long, Long>> levels = actual.entrySet().iterator();
        for (JsonNode level : expected) {
            Map.Entry<Long, Long> have = levels.next();
            if (have.getKey() != level.get(0).asLong() || have.getValue() != level.get(1).asLong()) {
                return side + "_level_" + have.getKey() + "x" + have.getValue() + "_expected_" + level.get(0).asLong()
                        + "x" + level.get(1).asLong();
            }
        }
        return null;
    }

    private void quit() {
        ChildJvm.haltUnlessDoneWithin(30, "the clients could not close within 30 s; halting");
        clients.forEach(c -> c.client.close());
        try {
            ws.stop();
            http.stop();
        } catch (Exception e) {
            e.printStackTrace();
        }
    }

    /** Every client's callbacks: counts and latencies (the client calls them on its WebSocket thread). */
    private final class Listener implements MarketDataListener {
        @Override
        public void onBookMessage(String market, BookMessage message) {
            if (message.isSnapshot()) {
                snapshots.increment();
                if (message.resync() != null) {
                    edgeResyncs.increment();
                }
                return;
            }
            deltas.increment();
            if (message.ts() > 0) {
                bookLatency.recordValue(clamp(EpochMicros.now() - message.ts() * 1_000));
            }
        }

        @Override
        public void onTrade(TradeMessage trade) {
            trades.increment();
            if (trade.ts() > 0) {
                tradeLatency.recordValue(clamp(EpochMicros.now() - trade.ts() * 1_000));
            }
        }

        @Override
        public void onTicker(TickerMessage ticker) {
            tickers.increment();
        }

        /** The edge left trades out for a lagging client and said which (a {@code gap} notice). */
        @Override
        public void onGap(GapMessage gap) {
            tradeGaps.increment();
        }

        @Override
        public void onResync(String market, String reason) {
            if (reason.startsWith("sequence gap")) {
                gapResyncs.increment();
            } else {
                checksumResyncs.increment();
            }
        }
    }

    private static long clamp(long micros) {
        return Math.max(0, Math.min(micros, MAX_MICROS));
    }
}
