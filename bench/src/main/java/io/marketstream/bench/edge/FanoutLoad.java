package io.marketstream.bench.edge;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

import io.marketstream.bench.ChildJvm;
import io.marketstream.bench.EpochMicros;

/**
 * The load side of {@link EdgeFanoutBenchmark}, in a JVM of its own: many WebSocket connections from one
 * Jetty {@link WebSocketClient} to one edge node, driven by commands on stdin, one per line, each answered
 * with one line on stdout ({@code key=value} pairs):
 * <ul>
 *   <li>{@code connect <n>}: opens n more connections (at most {@value #IN_FLIGHT} handshakes at a time);</li>
 *   <li>{@code subscribe <channel>}: subscribes every connection and waits for every reply (and, for a book
 *       channel, its snapshot);</li>
 *   <li>{@code measure}: starts a measurement window (counters and histogram reset);</li>
 *   <li>{@code report}: ends it and prints book messages received per second, the events they covered,
 *       merged deltas, resyncs, sequence gaps, closes, event-to-client latency (receive time minus the
 *       message's {@code ts}, same machine clock; µs) and this JVM's CPU time;</li>
 *   <li>{@code await <u> <seconds>}: waits (at most that long) until every connection has received the book message
 *       that ends at {@code u}, so that the publisher's last delta is known to be delivered;</li>
 *   <li>{@code quit}: unsubscribes every connection (and waits for the replies, at most a minute), then closes
 *       them and exits. Unsubscribing first matters: a client that closes while the node is still writing
 *       book messages to it can deadlock the node (see {@code docs/performance.md}).</li>
 * </ul>
 * Messages are parsed by position ({@code U}, {@code u}, {@code ts}), not with a JSON reader, so that the
 * client's own cost per message stays small; every delta's {@code U} is checked against the previous
 * {@code u} of its connection. Exits by itself when stdin closes (its parent died).
 */
public final class FanoutLoad {
    static final int IN_FLIGHT = 200;
    private static final String BOOK_PREFIX = "{\"ch\":\"book.";

    private final URI uri;
    private final HttpClient http;
    private final WebSocketClient client;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final Recorder latency = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
    private final LongAdder messages = new LongAdder();
    private final LongAdder events = new LongAdder();
    private final LongAdder merged = new LongAdder();
    private final LongAdder snapshots = new LongAdder();
    private final LongAdder resyncs = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder others = new LongAdder();
    private final Map<Integer, AtomicInteger> closes = new ConcurrentHashMap<>();
    private volatile CountDownLatch awaited = new CountDownLatch(0);
    private volatile boolean awaitSnapshot;

    private FanoutLoad(String host, int port) throws Exception {
        this.uri = URI.create("ws://" + host + ":" + port + "/ws");
        QueuedThreadPool threads = new QueuedThreadPool(16, 4);
        threads.setName("load");
        threads.setDaemon(true);
        http = new HttpClient();
        http.setExecutor(threads);
        http.setMaxConnectionsPerDestination(IN_FLIGHT);
        http.setMaxRequestsQueuedPerDestination(1_000_000);
        http.setConnectTimeout(30_000);
        client = new WebSocketClient(http);
        client.setIdleTimeout(java.time.Duration.ofMinutes(10));
        client.setMaxTextMessageSize(16 * 1024 * 1024);
        client.start();
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--host" -> host = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        FanoutLoad load = new FanoutLoad(host, port);
        System.out.println("ready pid=" + ProcessHandle.current().pid() + " jvm=\""
                + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()) + "\"");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+");
            switch (words[0]) {
                case "connect" -> load.connect(Integer.parseInt(words[1]));
                case "subscribe" -> load.subscribe(words[1]);
                case "measure" -> load.measure();
                case "await" -> load.await(Long.parseLong(words[1]), Integer.parseInt(words[2]));
                case "report" -> load.report();
                case "quit" -> {
                    load.quit();
                    System.exit(0);
                }
                default -> System.out.println("error unknown=" + words[0]);
            }
            System.out.flush();
        }
        load.quit();
        System.exit(0);
    }

    private void connect(int n) throws InterruptedException {
        long start = System.nanoTime();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        List<Subscriber> opened = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            Subscriber s = new Subscriber();
            try {
                client.connect(s, uri, new ClientUpgradeRequest()).whenComplete((session, error) -> {
                    if (error != null) {
                        if (failed.incrementAndGet() <= 3) {
                            System.err.println("connect failed: " + error);
                        }
                    } else {
                        opened.add(s);
                    }
                    inFlight.release();
                    done.countDown();
                });
            } catch (java.io.IOException e) {
                failed.incrementAndGet();
                inFlight.release();
                done.countDown();
            }
        }
        done.await(120, TimeUnit.SECONDS);
        subscribers.addAll(opened);
        System.out.printf("connected total=%d failed=%d ms=%d%n", subscribers.size(), failed.get(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private String subscribed;

    private void unsubscribe() throws InterruptedException {
        if (subscribed == null) {
            return;
        }
        awaitSnapshot = false;
        CountDownLatch latch = new CountDownLatch(subscribers.size());
        awaited = latch;
        String request = "{\"op\":\"unsubscribe\",\"id\":2,\"ch\":[\"" + subscribed + "\"]}";
        for (Subscriber s : subscribers) {
            s.waiting = true;
            s.session.sendText(request, Callback.NOOP);
        }
        if (!latch.await(60, TimeUnit.SECONDS)) {
            System.err.println(latch.getCount() + " connections had no answer to unsubscribe within 60 s");
        }
    }

    private void subscribe(String channel) throws InterruptedException {
        subscribed = channel;
        long start = System.nanoTime();
        errors.reset();
        awaitSnapshot = channel.startsWith("book.");
        CountDownLatch latch = new CountDownLatch(subscribers.size());
        awaited = latch;
        String request = "{\"op\":\"subscribe\",\"id\":1,\"ch\":[\"" + channel + "\"]}";
        for (Subscriber s : subscribers) {
            s.waiting = true;
            s.session.sendText(request, Callback.NOOP);
        }
        boolean all = latch.await(120, TimeUnit.SECONDS);
        System.out.printf("subscribed channel=%s complete=%s pending=%d errors=%d ms=%d%n", channel, all,
                latch.getCount(), errors.sum(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private void await(long u, int seconds) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        long behind;
        while ((behind = subscribers.stream().filter(s -> s.session.isOpen() && s.lastU < u).count()) > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        System.out.printf("caughtup u=%d behind=%d ms=%d%n", u, behind,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private long cpuAtMeasure;
    private long nanosAtMeasure;

    private void measure() {
        for (LongAdder a : List.of(messages, events, merged, snapshots, resyncs, gaps, others)) {
            a.reset();
        }
        latency.reset();
        cpuAtMeasure = cpuNanos();
        nanosAtMeasure = System.nanoTime();
        System.out.println("measuring");
    }

    private void report() {
        double seconds = (System.nanoTime() - nanosAtMeasure) / 1e9;
        long cpu = cpuNanos() - cpuAtMeasure;
        Histogram h = latency.getIntervalHistogram();
        long received = messages.sum();
        long open = subscribers.stream().filter(s -> s.session.isOpen()).count();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seconds", String.format("%.2f", seconds));
        out.put("messages", received);
        out.put("messages_per_s", Math.round(received / seconds));
        out.put("events", events.sum());
        out.put("merged", merged.sum());
        out.put("snapshots", snapshots.sum());
        out.put("resyncs", resyncs.sum());
        out.put("gaps", gaps.sum());
        out.put("others", others.sum());
        out.put("open", open);
        out.put("closes", closes.toString().replace(" ", ""));
        out.put("p50_us", h.getValueAtPercentile(50));
        out.put("p90_us", h.getValueAtPercentile(90));
        out.put("p99_us", h.getValueAtPercentile(99));
        out.put("p999_us", h.getValueAtPercentile(99.9));
        out.put("max_us", h.getMaxValue());
        out.put("latency_count", h.getTotalCount());
        out.put("cpu_s", String.format("%.2f", cpu / 1e9));
        StringBuilder line = new StringBuilder("report");
        out.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        System.out.println(line);
    }

    private void quit() {
        try {
            unsubscribe();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ChildJvm.haltUnlessDoneWithin(30, "the load process could not close its connections within 30 s; halting");
        for (Subscriber s : subscribers) {
            if (s.session != null && s.session.isOpen()) {
                s.session.close();
            }
        }
        try {
            client.stop();
            http.stop();
        } catch (Exception e) {
            e.printStackTrace();
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Reads a non-negative integer field ({@code "name":123}) after {@code from}; -1 if absent. */
    static long field(String message, String key, int from) {
        int at = message.indexOf(key, from);
        if (at < 0) {
            return -1;
        }
        long value = 0;
        for (int i = at + key.length(); i < message.length(); i++) {
            char c = message.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** One connection. Jetty calls it for one frame at a time, so its fields need no lock. */
    public final class Subscriber implements Session.Listener.AutoDemanding {
        private volatile Session session;
        private volatile long lastU = -1;
        volatile boolean waiting;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.startsWith(BOOK_PREFIX)) {
                long receivedMicros = EpochMicros.now();
                int after = message.indexOf("\"type\":\"");
                boolean snapshot = message.startsWith("snapshot", after + 8);
                long first = field(message, "\"U\":", after);
                long last = field(message, "\"u\":", after);
                long ts = field(message, "\"ts\":", message.lastIndexOf("\"cs\":"));
                messages.increment();
                if (snapshot) {
                    snapshots.increment();
                    if (message.contains("\"resync\"")) {
                        resyncs.increment();
                    }
                    if (waiting && awaitSnapshot) {
                        waiting = false;
                        awaited.countDown();
                    }
                } else {
                    if (lastU >= 0 && first != lastU + 1) {
                        gaps.increment();
                    }
                    events.add(last - first + 1);
                    if (last > first) {
                        merged.increment();
                    }
                    if (ts > 0) {
                        long micros = receivedMicros - ts * 1_000;
                        latency.recordValue(Math.max(0, Math.min(micros, TimeUnit.SECONDS.toMicros(60))));
                    }
                }
                lastU = last;
                return;
            }
            if (message.startsWith("{\"op\":\"ok\"") || message.startsWith("{\"op\":\"error\"")) {
                if (message.startsWith("{\"op\":\"error\"")) {
                    errors.increment();
                    if (errors.sum() <= 3) {
                        System.err.println("error reply: " + message);
                    }
                }
                if (waiting && (!awaitSnapshot || message.startsWith("{\"op\":\"error\""))) {
                    waiting = false;
                    awaited.countDown();
                }
                return;
            }
            others.increment();
        }

        @Override
        public void onWebSocketPing(ByteBuffer payload) {
            session.sendPong(payload, Callback.NOOP);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closes.computeIfAbsent(statusCode, c -> new AtomicInteger()).incrementAndGet();
        }
    }
}
