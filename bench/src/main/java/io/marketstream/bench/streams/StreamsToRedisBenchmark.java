package io.marketstream.bench.streams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.apache.kafka.streams.KafkaStreams;

import io.lettuce.core.RedisClient;
import io.marketstream.bench.ProcStats;
import io.marketstream.redis.RedisClients;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.BookMessageReader;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.redis.RedisMarketDataPublisher;
import io.marketstream.redis.RedisMarketDataReader;
import io.marketstream.redis.RedisMarketDataSubscriber;
import io.marketstream.streams.RedisMarketDataSink;
import io.marketstream.streams.StreamsService;

/**
 * Engine events through the production streams job ({@link StreamsService}, exactly-once, the
 * batching {@link RedisMarketDataSink}) into Redis, on a real Kafka broker and a real
 * {@code redis-server}, all on this machine. The broker and the producer of the engine events ({@link EngineSide})
 * run in a JVM of their own, as in a deployment (options of that JVM: {@code --engine-jvm}, broker settings:
 * {@code --broker-config key=value,…}), or with {@code --broker in-process} in the job's JVM, as before
 * {@code streams-perf5}: then their threads and garbage pause the job too.
 *
 * <ol>
 *   <li><b>Throughput</b>: {@code --events} engine events (two markets, two partitions; rests,
 *       cancels, reductions, trades, acceptances, balance changes) are written to the topic first;
 *       then the job starts and the time from the first to the last PUBLISH gives the events per
 *       second it sustains while catching up.</li>
 *   <li><b>Latency</b>: for each of {@code --rates}, events are first sent at that fixed rate for
 *       {@code --settle} seconds (default 60), reported on their own: the job has just caught up, so the
 *       JIT is still compiling the paths a steady flow takes (at 1,000 events/s it used most of a core
 *       for the first minute) and the first commits run cold code; then for {@code --seconds} more (the
 *       first quarter again not recorded), the steady state a long-running job is in. Each time, the time from handing an
 *       book-changing event to the Kafka producer to receiving, on a Redis pub/sub subscription in this
 *       JVM, the book delta that covers it (a merged delta covers several) or its trade message goes
 *       into an HdrHistogram.</li>
 * </ol>
 * Kafka, Redis, the job, the producer and the subscriber share the machine's cores, so the figures
 * include their competition. Send times are taken in the producer's JVM and receive times in this one, both
 * {@link System#nanoTime()} (one monotonic clock per machine on Linux); latencies are computed after each phase. Usage: see {@code docs/performance.md}.
 */
public final class StreamsToRedisBenchmark {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();

    private final List<MarketSpec> markets = CATALOG.all();
    /** Each market's last sequence written to the topic so far. */
    private final long[] produced;
    private final long[][] sentNanos;
    private final AtomicLong received = new AtomicLong();
    /** PUBLISHes received during a fixed-rate phase: market, first and last sequence, nanoTime; timed after it. */
    private final PublishLog publishes = new PublishLog();
    private volatile boolean logging;
    private volatile long firstPublish;
    private volatile long lastPublish;
    private final long[] lastSeqSeen;
    /** Per market and engine sequence: System.nanoTime() when the PUBLISH covering it arrived first. */
    private final long[][] receivedNanos;
    private final Map<String, Integer> marketIndex = new java.util.HashMap<>();
    private final int capacity;
    private TracingSink tracing;
    private EventSource side;
    private final GcPauses gcPauses = new GcPauses();

    private StreamsToRedisBenchmark(int capacity) {
        sentNanos = new long[markets.size()][capacity + 1];
        produced = new long[markets.size()];
        lastSeqSeen = new long[markets.size()];
        receivedNanos = new long[markets.size()][capacity + 1];
        this.capacity = capacity;
        for (int i = 0; i < markets.size(); i++) {
            marketIndex.put(markets.get(i).symbol(), i);
        }
    }

    public static void main(String[] args) throws Exception {
        int events = 300_000;
        int seconds = 20;
        int settle = 60;
        List<Integer> rates = List.of(1_000, 10_000);
        String broker = "child";
        String engineJvm = "-Xmx1g";
        String brokerConfig = "";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--settle" -> settle = Integer.parseInt(args[i + 1]);
                case "--rates" -> rates = java.util.Arrays.stream(args[i + 1].split(",")).map(Integer::parseInt).toList();
                case "--broker" -> broker = args[i + 1];
                case "--engine-jvm" -> engineJvm = args[i + 1];
                case "--broker-config" -> brokerConfig = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (!broker.equals("child") && !broker.equals("in-process")) {
            throw new IllegalArgumentException("--broker is child or in-process, not " + broker);
        }
        int capacity = 2 * events + rates.stream().mapToInt(r -> r * 20).sum() * Math.max(1, seconds / 20 + 1)
                + rates.stream().mapToInt(Integer::intValue).sum() * settle;
        System.out.printf("cores %d, JVM %s, load average %s; broker and event producer %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), ProcStats.loadAverage(),
                broker.equals("child") ? "in a JVM of their own (" + engineJvm + ")" : "in this JVM");
        try (EventSource side = broker.equals("child") ? new EngineSide.Child(engineJvm, brokerConfig)
                : new EngineSide(brokerConfig.isBlank() ? Map.of() : EngineSide.brokerConfig(brokerConfig))) {
            new StreamsToRedisBenchmark(capacity).run(side, events, rates, seconds, settle);
        }
    }

    private void run(EventSource side, int events, List<Integer> rates, int seconds, int settle) throws Exception {
        this.side = side;
        try (EmbeddedRedis redis = EmbeddedRedis.start()) {
            RedisClient client = RedisClients.create(redis.uri());
            try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
                 RedisMarketDataReader reader = new RedisMarketDataReader(client, CATALOG);
                 RedisMarketDataSubscriber subscriber = new RedisMarketDataSubscriber(client)) {
                for (int m = 0; m < markets.size(); m++) {
                    int market = m;
                    subscriber.subscribe(Channels.book(markets.get(m).symbol()),
                            (ch, payload) -> {
                                // as the edge reads them (the callback runs on the subscription's event loop,
                                // inside every measured latency)
                                BookMessage book = BookMessageReader.read(payload);
                                onPublish(market, book.firstSeq(), book.lastSeq());
                            })
                            .get(5, TimeUnit.SECONDS);
                    subscriber.subscribe(Channels.trades(markets.get(m).symbol()),
                            (ch, payload) -> {
                                long seq = Json.read(payload, TradeMessage.class).seq();
                                onPublish(market, seq, seq);
                            })
                            .get(5, TimeUnit.SECONDS);
                }

                // 1. throughput while catching up on a full topic, in a fresh JVM
                produce(events);
                Path stateDir = Files.createTempDirectory("streams-bench-");
                tracing = new TracingSink(new RedisMarketDataSink(publisher), marketIndex, capacity);
                StreamsService streams = new StreamsService(CATALOG, tracing,
                        side.bootstrap(), "streams-bench", stateDir);
                catchUp("throughput", streams, reader, events);

                // 2. latency at fixed rates
                for (int rate : rates) {
                    if (settle > 0) {
                        latency("settling, the first " + settle + " s at", rate, settle);
                        printCommits(streams);
                    }
                    latency("rate", rate, seconds);
                    printCommits(streams);
                }
                streams.close();

                // 3. the catch-up again, after a restart of the job in this JVM, now warm: the code's rate
                // once compiled, without the JIT's and the first collections' share of figure 1
                produce(events);
                StreamsService restarted = new StreamsService(CATALOG, new RedisMarketDataSink(publisher),
                        side.bootstrap(), "streams-bench", stateDir);
                catchUp("throughput, job restarted in the warm JVM", restarted, reader, events);
                restarted.close();
            } finally {
                client.shutdown();
            }
        }
    }

    private void produce(int events) throws Exception {
        long[] last = side.produce(events);
        System.arraycopy(last, 0, produced, 0, last.length);
    }

    /** Starts the job on a topic holding {@code events} it has not processed and times its catch-up. */
    private void catchUp(String label, StreamsService streams, RedisMarketDataReader reader, int events)
            throws Exception {
        firstPublish = 0;
        previous.clear();
        long cpuBefore = cpuNanos();
        long redisBefore = redisCpuNanos();
        long brokerBefore = EngineSide.cpuNanos(side);
        Map<String, Long> threadsBefore = ProcStats.threadCpu();
        long jitBefore = java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long gcBefore = gcMillis();
        long seenBefore = seen();
        // when the job had published a quarter, half and three quarters of the events, and the JIT's time then
        long[] quarterNanos = new long[5];
        long[] quarterJit = new long[5];
        int quarter = 1;
        quarterJit[0] = jitMillis();
        streams.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!caughtUp(reader) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            while (quarter < 4 && seen() - seenBefore >= (long) events * quarter / 4) {
                quarterNanos[quarter] = lastPublish;
                quarterJit[quarter] = jitMillis();
                quarter++;
            }
        }
        if (streams.state() != KafkaStreams.State.RUNNING || !caughtUp(reader)) {
            throw new IllegalStateException("the job did not catch up: " + streams.state());
        }
        double seconds1 = (lastPublish - firstPublish) / 1e9;
        double cpuSeconds = (cpuNanos() - cpuBefore) / 1e9;
        double redisSeconds = (redisCpuNanos() - redisBefore) / 1e9;
        double brokerSeconds = (EngineSide.cpuNanos(side) - brokerBefore) / 1e9;
        System.out.printf("%s: %,d events in %.2f s = %,.0f events/s (first to last PUBLISH)%n",
                label, events, seconds1, events / seconds1);
        if (quarter == 4) {
            quarterNanos[0] = firstPublish;
            quarterNanos[4] = lastPublish;
            quarterJit[4] = jitMillis();
            StringBuilder q = new StringBuilder("  by quarter of the events:");
            for (int i = 0; i < 4; i++) {
                q.append(String.format(" %,.0f events/s (JIT %.1f s);", events / 4.0 / ((quarterNanos[i + 1] - quarterNanos[i]) / 1e9),
                        (quarterJit[i + 1] - quarterJit[i]) / 1e3));
            }
            q.append(String.format(" second half %,.0f events/s", events / 2.0 / ((quarterNanos[4] - quarterNanos[2]) / 1e9)));
            System.out.println(q);
        }
        System.out.printf("CPU used meanwhile by the broker, the job, the subscriber and redis-server: %.1f s "
                        + "= %.0f µs per event, so at most %,.0f events/s if the %d cores were ours alone%n",
                cpuSeconds, cpuSeconds * 1e6 / events,
                events / cpuSeconds * Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("  of which redis-server %.1f s = %.0f µs per event%s%n", redisSeconds,
                redisSeconds * 1e6 / events, side.pid() < 0 ? "" : String.format(
                        ", the broker's JVM %.1f s = %.0f µs per event (while the job catches up it only serves fetches"
                                + " and the job's transactions)", brokerSeconds, brokerSeconds * 1e6 / events));
        System.out.println("  per event, by thread: " + perEvent(ProcStats.threadCpuSince(threadsBefore), events));
        System.out.printf("  meanwhile the JIT compilers worked %.1f s and collections paused the JVM %.1f s%n",
                (java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitBefore) / 1e3,
                (gcMillis() - gcBefore) / 1e3);
        printCommits(streams);
    }

    private static long jitMillis() {
        return java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /** The events published so far, as the sum of each market's highest sequence seen (sequences count every event). */
    private long seen() {
        long sum = 0;
        for (long seq : lastSeqSeen) {
            sum += seq;
        }
        return sum;
    }

    /**
     * Whether a collector's bean counts pauses: ZGC's "ZGC Cycles" (and a "Concurrent" bean of later JDKs' G1) time
     * work done beside the application, "ZGC Pauses" its pauses.
     */
    private static boolean pauses(String collector) {
        return !collector.contains("Concurrent") && !collector.contains("Cycles");
    }

    private static long gcCount() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream().filter(b -> pauses(b.getName()))
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionCount).filter(t -> t > 0).sum();
    }

    private static long gcMillis() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream().filter(b -> pauses(b.getName()))
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).filter(t -> t > 0).sum();
    }

    /** The busiest threads' CPU time per event, in µs. */
    private static String perEvent(Map<String, Long> threads, int events) {
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(threads.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Long> e : sorted.subList(0, Math.min(8, sorted.size()))) {
            String name = e.getKey().replaceAll("^streams-bench-.*-(StreamThread-#)$", "$1");
            out.append(String.format("%s%s %.1f", out.length() == 0 ? "" : ", ", name, e.getValue() / 1e3 / events));
        }
        return out.toString();
    }

    private final Map<String, Double> previous = new java.util.HashMap<>();

    /**
     * This phase's commits: how many, the changelog records and bytes the stream producers sent per commit,
     * and the load average now.
     */
    private void printPhaseCommits(StreamsService streams) {
        double commits = 0;
        double records = 0;
        double bytes = 0;
        Map<String, Double> producerTimes = new java.util.TreeMap<>();
        for (var e : streams.metrics().entrySet()) {
            String group = e.getKey().group();
            String name = e.getKey().name();
            if (!(e.getValue().metricValue() instanceof Double d)) {
                continue;
            }
            if ("stream-thread-metrics".equals(group) && "commit-total".equals(name)) {
                commits += d;
            } else if ("producer-metrics".equals(group) && "record-send-total".equals(name)) {
                records += d;
            } else if ("producer-metrics".equals(group) && "outgoing-byte-total".equals(name)) {
                bytes += d;
            } else if ("producer-metrics".equals(group) && (name.equals("flush-time-ns-total")
                    || name.equals("txn-send-offsets-time-ns-total") || name.equals("txn-commit-time-ns-total"))) {
                producerTimes.merge(name.replace("-time-ns-total", ""), d, Double::sum);
            }
        }
        double c = commits - previous.getOrDefault("commits", 0.0);
        double r = records - previous.getOrDefault("records", 0.0);
        double b = bytes - previous.getOrDefault("bytes", 0.0);
        previous.put("commits", commits);
        previous.put("records", records);
        previous.put("bytes", bytes);
        StringBuilder times = new StringBuilder();
        producerTimes.forEach((name, ns) -> {
            double phase = ns - previous.getOrDefault(name, 0.0);
            previous.put(name, ns);
            times.append(String.format(" %s %.1f ms", name, c == 0 ? 0 : phase / c / 1e6));
        });
        System.out.printf("  this phase: %.0f commits, %.0f changelog records and %.0f kB sent per commit; per commit the"
                        + " stream producer's%s; load average %s%n",
                c, c == 0 ? 0 : r / c, c == 0 ? 0 : b / c / 1e3, times, ProcStats.loadAverage());
    }

    private void printCommits(StreamsService streams) throws Exception {
        printPhaseCommits(streams);
        printCommitTotals(streams);
        System.out.println("  " + side.brokerReport());
    }

    /**
     * Kafka Streams' own commit figures (averages and maxima over its 30 s sample windows, totals since start): each one stalls its thread (see StreamsService). Then where
     * the commits' time went, in total: the producer's flush (changelog records) and, exactly-once,
     * sending the offsets and committing the transaction.
     */
    private static void printCommitTotals(StreamsService streams) {
        StringBuilder line = new StringBuilder("  stream thread commits:");
        StringBuilder producer = new StringBuilder("  stream producer totals:");
        streams.metrics().forEach((name, metric) -> {
            if ("stream-thread-metrics".equals(name.group()) && name.name().startsWith("commit-")
                    && !name.name().endsWith("-rate") && !name.name().contains("ratio")) {
                Object value = metric.metricValue();
                line.append(' ').append(name.name()).append('=')
                        .append(value instanceof Double d ? String.format("%.1f", d) : value);
            }
            if ("producer-metrics".equals(name.group()) && name.name().endsWith("-time-ns-total")
                    && (name.name().startsWith("txn-") || name.name().startsWith("flush-"))
                    && metric.metricValue() instanceof Double d) {
                producer.append(' ').append(name.name().replace("-time-ns-total", "")).append('=')
                        .append(String.format("%.0f ms", d / 1e6));
            }
        });
        System.out.println(line);
        System.out.println(producer);
    }

    /** CPU time of this JVM and its child processes (redis-server, the broker's JVM), from /proc; JVM only elsewhere. */
    private static long cpuNanos() {
        return ProcStats.ownCpuNanos()
                + ProcessHandle.current().children().mapToLong(child -> ProcStats.cpuNanos(child.pid())).sum();
    }

    /** CPU time of redis-server (our child processes but the broker's JVM). */
    private long redisCpuNanos() {
        return ProcessHandle.current().children().filter(child -> child.pid() != side.pid())
                .mapToLong(child -> ProcStats.cpuNanos(child.pid())).sum();
    }

    private boolean caughtUp(RedisMarketDataReader reader) {
        for (int m = 0; m < markets.size(); m++) {
            // the last book or trade message at or after the model's last book-changing event
            if (lastSeqSeen[m] < produced[m] - 50) {
                return false;
            }
        }
        return true;
    }

    /**
     * A book message covering engine sequences {@code first..last} (several book changes when the sink
     * merged deltas), or a trade ({@code first == last}): each book-changing event it covers is seen now.
     */
    private void onPublish(int market, long first, long last) {
        long now = System.nanoTime();
        if (firstPublish == 0) {
            firstPublish = now;
        }
        lastPublish = now;
        lastSeqSeen[market] = Math.max(lastSeqSeen[market], last);
        received.incrementAndGet();
        if (logging) {
            publishes.add(market, first, last, now);
        }
    }

    /** The PUBLISHes of a phase, appended by the subscription's event loop (one thread) and read after the phase. */
    private static final class PublishLog {
        private long[] entries = new long[4 * 65_536];
        private int size;

        synchronized void add(int market, long first, long last, long now) {
            if (size + 4 > entries.length) {
                entries = java.util.Arrays.copyOf(entries, entries.length * 2);
            }
            entries[size++] = market;
            entries[size++] = first;
            entries[size++] = last;
            entries[size++] = now;
        }

        synchronized long[] drain() {
            long[] out = java.util.Arrays.copyOf(entries, size);
            size = 0;
            return out;
        }
    }

    private void latency(String label, int rate, int seconds) throws Exception {
        publishes.drain();
        long jitBefore = jitMillis();
        Map<String, Long> threadsBefore = ProcStats.threadCpu();
        logging = true;
        long jobCpuBefore = ProcStats.ownCpuNanos();
        long brokerCpuBefore = EngineSide.cpuNanos(side);
        long redisCpuBefore = redisCpuNanos();
        long gcCountBefore = gcCount();
        long gcBefore = gcMillis();
        EventSource.Phase phase = side.send(rate, seconds, sentNanos);
        System.arraycopy(phase.lastSeq(), 0, produced, 0, produced.length);
        Thread.sleep(Duration.ofSeconds(2).toMillis());
        logging = false;
        double jobCpu = (ProcStats.ownCpuNanos() - jobCpuBefore) / 1e3 / ((double) rate * seconds);
        double brokerCpu = (EngineSide.cpuNanos(side) - brokerCpuBefore) / 1e3 / ((double) rate * seconds);
        double redisCpu = (redisCpuNanos() - redisCpuBefore) / 1e3 / ((double) rate * seconds);
        long gcs = gcCount() - gcCountBefore;
        long gcPaused = gcMillis() - gcBefore;
        long recordedFrom = phase.recordedFrom();
        // every book-changing event sent after the warm-up, once per PUBLISH that covers it (a trade's book delta
        // and its trade message both count), as the PUBLISH arrived
        Histogram h = new Histogram(3);
        long[] log = publishes.drain();
        for (int i = 0; i < log.length; i += 4) {
            int market = (int) log[i];
            long now = log[i + 3];
            for (long seq = Math.max(1, log[i + 1]); seq <= log[i + 2] && seq < sentNanos[market].length; seq++) {
                long sent = sentNanos[market][(int) seq];
                if (sent != 0 && sent >= recordedFrom) {
                    h.recordValue(Math.max(0, now - sent));
                    if (receivedNanos[market][(int) seq] == 0) {
                        receivedNanos[market][(int) seq] = now;
                    }
                }
            }
        }
        System.out.printf("%s %,d events/s (achieved %,.0f): event to PUBLISH p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, "
                        + "p99.9 %.2f ms, max %.2f ms (%,d samples)%n",
                label, rate, phase.achieved(), h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(90) / 1e6,
                h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6,
                h.getTotalCount());
        System.out.printf("  CPU per event: the job's JVM (job, subscriber%s) %.1f µs%s, redis-server %.1f µs; the job's JVM"
                        + " paused %d times for collections, %d ms in total; its JIT compilers worked %.1f s%n",
                side.pid() < 0 ? ", broker, producer" : "",
                jobCpu, side.pid() < 0 ? "" : String.format(", the broker's and producer's JVM %.1f µs", brokerCpu),
                redisCpu, gcs, gcPaused, (jitMillis() - jitBefore) / 1e3);
        System.out.println("  the job's JVM per event, by thread: "
                + perEvent(ProcStats.threadCpuSince(threadsBefore), rate * seconds));
        if (tracing != null) {
            explain(recordedFrom, phase.firstSeq(), phase.lastSeq());
        }
    }

    /**
     * Where the recorded events' time went: sent to handed over by the stream thread (producer, broker,
     * consumer, the stream thread and any commit it was in), handed over to PUBLISH received (the sink's
     * sender, Lettuce, Redis, the subscriber); and which of the slow ones were sent during a commit (from
     * its barrier's start to the stream thread's next hand-over) or a collection pause.
     */
    private void explain(long recordedFrom, long[] firstSeq, long[] lastSeq) {
        Histogram toStream = new Histogram(3);
        Histogram toRedis = new Histogram(3);
        List<long[]> slow = new ArrayList<>();
        long recordedTo = System.nanoTime();
        for (int m = 0; m < markets.size(); m++) {
            for (long seq = firstSeq[m]; seq <= lastSeq[m] && seq < sentNanos[m].length; seq++) {
                long sent = sentNanos[m][(int) seq];
                long handed = tracing.handedNanos[m][(int) seq];
                long got = receivedNanos[m][(int) seq];
                if (sent < recordedFrom || handed == 0 || got == 0) {
                    continue;
                }
                toStream.recordValue(Math.max(0, handed - sent));
                toRedis.recordValue(Math.max(0, got - handed));
                slow.add(new long[] {sent, handed, got});
            }
        }
        slow.sort((a, b) -> Long.compare(b[2] - b[0], a[2] - a[0]));
        int top = Math.max(1, slow.size() / 100);
        List<long[]> commits = tracing.commitsBetween(recordedFrom - 1_000_000_000L, recordedTo);
        List<long[]> pauses = gcPauses.between(recordedFrom - 1_000_000_000L, recordedTo);
        int inCommit = 0;
        int inPause = 0;
        double waitStream = 0;
        double waitRedis = 0;
        for (long[] s : slow.subList(0, Math.min(top, slow.size()))) {
            waitStream += s[1] - s[0];
            waitRedis += s[2] - s[1];
            boolean c = false;
            for (long[] commit : commits) {
                long end = commit[2] == 0 ? commit[1] : commit[2];
                c |= s[0] <= end && s[1] >= commit[0];
            }
            boolean g = false;
            for (long[] pause : pauses) {
                g |= s[0] <= pause[1] && s[2] >= pause[0];
            }
            inCommit += c ? 1 : 0;
            inPause += g && !c ? 1 : 0;
        }
        System.out.printf("  sent to handed over by the stream thread: p50 %.2f, p90 %.2f, p99 %.2f ms; handed over to"
                        + " PUBLISH received: p50 %.2f, p90 %.2f, p99 %.2f ms%n",
                toStream.getValueAtPercentile(50) / 1e6, toStream.getValueAtPercentile(90) / 1e6,
                toStream.getValueAtPercentile(99) / 1e6, toRedis.getValueAtPercentile(50) / 1e6,
                toRedis.getValueAtPercentile(90) / 1e6, toRedis.getValueAtPercentile(99) / 1e6);
        System.out.printf("  slowest 1%% (%d, from %.2f ms): %.2f ms on average to the stream thread's hand-over,"
                        + " %.2f ms from there; %d overlapped a commit, %d more a collection pause%n",
                top, slow.isEmpty() ? 0 : (slow.get(Math.min(top, slow.size()) - 1)[2]
                        - slow.get(Math.min(top, slow.size()) - 1)[0]) / 1e6,
                waitStream / top / 1e6, waitRedis / top / 1e6, inCommit, inPause);
        StringBuilder c = new StringBuilder("  commits (barrier ms / until the next hand-over ms):");
        for (long[] commit : commits) {
            c.append(String.format(" %.1f/%.1f", (commit[1] - commit[0]) / 1e6,
                    commit[2] == 0 ? -1 : (commit[2] - commit[0]) / 1e6));
        }
        System.out.println(c);
        StringBuilder g = new StringBuilder("  collection pauses (ms):");
        for (long[] pause : pauses) {
            g.append(String.format(" %.1f", (pause[1] - pause[0]) / 1e6));
        }
        System.out.println(g);
    }

    /** Collection pauses as they end, from the collectors' notifications, in System.nanoTime(). */
    private static final class GcPauses {
        private final List<long[]> pauses = java.util.Collections.synchronizedList(new ArrayList<>());

        GcPauses() {
            long base = System.nanoTime() - java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
            for (var bean : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                if (bean instanceof javax.management.NotificationEmitter emitter) {
                    emitter.addNotificationListener((n, handback) -> {
                        if (!com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
                                .equals(n.getType())) {
                            return;
                        }
                        var info = com.sun.management.GarbageCollectionNotificationInfo.from(
                                (javax.management.openmbean.CompositeData) n.getUserData());
                        if (!pauses(info.getGcName())) {
                            return;
                        }
                        long start = base + info.getGcInfo().getStartTime() * 1_000_000L;
                        pauses.add(new long[] {start, start + Math.max(1, info.getGcInfo().getDuration()) * 1_000_000L});
                    }, null, null);
                }
            }
        }

        List<long[]> between(long from, long to) {
            synchronized (pauses) {
                return pauses.stream().filter(p -> p[1] >= from && p[0] < to).toList();
            }
        }
    }
}
