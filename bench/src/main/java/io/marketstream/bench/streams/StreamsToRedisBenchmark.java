package io.marketstream.bench.streams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;

import io.lettuce.core.RedisClient;
import io.marketstream.bench.BookChanges;
import io.marketstream.bench.ProcStats;
import io.marketstream.redis.RedisClients;
import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.BookMessageReader;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.redis.RedisMarketDataPublisher;
import io.marketstream.redis.RedisMarketDataReader;
import io.marketstream.redis.RedisMarketDataSubscriber;
import io.marketstream.streams.EngineEventModel;
import io.marketstream.streams.RedisMarketDataSink;
import io.marketstream.streams.StreamsService;

/**
 * Engine events through the production streams job ({@link StreamsService}, exactly-once, the
 * batching {@link RedisMarketDataSink}) into Redis, on a real in-process Kafka broker and a real
 * {@code redis-server}, all on this machine.
 *
 * <ol>
 *   <li><b>Throughput</b>: {@code --events} engine events (two markets, two partitions; rests,
 *       cancels, reductions, trades, acceptances, balance changes) are written to the topic first;
 *       then the job starts and the time from the first to the last PUBLISH gives the events per
 *       second it sustains while catching up.</li>
 *   <li><b>Latency</b>: for each of {@code --rates}, events are sent at that fixed rate for
 *       {@code --seconds} (the first quarter is warm-up, not recorded) and the time from handing an
 *       book-changing event to the Kafka producer to receiving, on a Redis pub/sub subscription in this
 *       JVM, the book delta that covers it (a merged delta covers several) or its trade message goes
 *       into an HdrHistogram.</li>
 * </ol>
 * Kafka, Redis, the job, the producer and the subscriber share the machine's cores, so the figures
 * include their competition. Usage: see {@code docs/performance.md}.
 */
public final class StreamsToRedisBenchmark {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();

    private final List<MarketSpec> markets = CATALOG.all();
    private final List<EngineEventModel> models = new ArrayList<>();
    private final long[][] sentNanos;
    private final Recorder recorder = new Recorder(3);
    private final AtomicLong received = new AtomicLong();
    private volatile boolean recording;
    private volatile long firstPublish;
    private volatile long lastPublish;
    private final long[] lastSeqSeen;
    /** Per market and engine sequence: System.nanoTime() when the PUBLISH covering it arrived first. */
    private final long[][] receivedNanos;
    private final Map<String, Integer> marketIndex = new java.util.HashMap<>();
    private final int capacity;
    private TracingSink tracing;
    private final GcPauses gcPauses = new GcPauses();

    private StreamsToRedisBenchmark(int capacity) {
        sentNanos = new long[markets.size()][capacity + 1];
        lastSeqSeen = new long[markets.size()];
        receivedNanos = new long[markets.size()][capacity + 1];
        this.capacity = capacity;
        for (int i = 0; i < markets.size(); i++) {
            marketIndex.put(markets.get(i).symbol(), i);
        }
        long start = System.currentTimeMillis();
        for (int i = 0; i < markets.size(); i++) {
            models.add(new EngineEventModel(markets.get(i), 42 + i, start, 1));
        }
    }

    public static void main(String[] args) throws Exception {
        int events = 300_000;
        int seconds = 20;
        List<Integer> rates = List.of(1_000, 10_000);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--rates" -> rates = java.util.Arrays.stream(args[i + 1].split(",")).map(Integer::parseInt).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int capacity = events + rates.stream().mapToInt(r -> r * 20).sum() * Math.max(1, seconds / 20 + 1);
        new StreamsToRedisBenchmark(capacity).run(events, rates, seconds);
    }

    private void run(int events, List<Integer> rates, int seconds) throws Exception {
        System.out.printf("cores %d, JVM %s, load average %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.version(), ProcStats.loadAverage());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedRedis redis = EmbeddedRedis.start()) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(Topics.ENGINE_EVENTS.name(), 2, (short) 1))).all().get();
            }
            RedisClient client = RedisClients.create(redis.uri());
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            try (KafkaProducer<String, EngineEvent> producer = new KafkaProducer<>(p,
                    Topics.ENGINE_EVENTS.keySerde().serializer(), Topics.ENGINE_EVENTS.valueSerde().serializer());
                 RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(client);
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
                produce(producer, events);
                Path stateDir = Files.createTempDirectory("streams-bench-");
                tracing = new TracingSink(new RedisMarketDataSink(publisher), marketIndex, capacity);
                StreamsService streams = new StreamsService(CATALOG, tracing,
                        kafka.bootstrapServers(), "streams-bench", stateDir);
                catchUp("throughput", streams, reader, events);

                // 2. latency at fixed rates
                for (int rate : rates) {
                    latency(producer, rate, seconds);
                    printCommits(streams);
                }
                streams.close();

                // 3. the catch-up again, after a restart of the job in this JVM, now warm: the code's rate
                // once compiled, without the JIT's and the first collections' share of figure 1
                produce(producer, events);
                StreamsService restarted = new StreamsService(CATALOG, new RedisMarketDataSink(publisher),
                        kafka.bootstrapServers(), "streams-bench", stateDir);
                catchUp("throughput, job restarted in the warm JVM", restarted, reader, events);
                restarted.close();
            } finally {
                client.shutdown();
            }
        }
    }

    private void produce(KafkaProducer<String, EngineEvent> producer, int events) {
        for (int i = 0; i < events; i++) {
            int m = i % markets.size();
            EngineEvent event = models.get(m).next();
            producer.send(new ProducerRecord<>(Topics.ENGINE_EVENTS.name(), event.market(), event));
        }
        producer.flush();
    }

    /** Starts the job on a topic holding {@code events} it has not processed and times its catch-up. */
    private void catchUp(String label, StreamsService streams, RedisMarketDataReader reader, int events)
            throws InterruptedException {
        firstPublish = 0;
        previous.clear();
        long cpuBefore = cpuNanos();
        long redisBefore = childCpuNanos();
        Map<String, Long> threadsBefore = ProcStats.threadCpu();
        long jitBefore = java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long gcBefore = gcMillis();
        streams.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!caughtUp(reader) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (streams.state() != KafkaStreams.State.RUNNING || !caughtUp(reader)) {
            throw new IllegalStateException("the job did not catch up: " + streams.state());
        }
        double seconds1 = (lastPublish - firstPublish) / 1e9;
        double cpuSeconds = (cpuNanos() - cpuBefore) / 1e9;
        double redisSeconds = (childCpuNanos() - redisBefore) / 1e9;
        System.out.printf("%s: %,d events in %.2f s = %,.0f events/s (first to last PUBLISH)%n",
                label, events, seconds1, events / seconds1);
        System.out.printf("CPU used meanwhile by this JVM (broker, job, subscriber) and redis-server: %.1f s "
                        + "= %.0f µs per event, so at most %,.0f events/s if the %d cores were ours alone%n",
                cpuSeconds, cpuSeconds * 1e6 / events,
                events / cpuSeconds * Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("  of which redis-server %.1f s = %.0f µs per event%n", redisSeconds,
                redisSeconds * 1e6 / events);
        System.out.println("  per event, by thread: " + perEvent(ProcStats.threadCpuSince(threadsBefore), events));
        System.out.printf("  meanwhile the JIT compilers worked %.1f s and collections paused the JVM %.1f s%n",
                (java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitBefore) / 1e3,
                (gcMillis() - gcBefore) / 1e3);
        printCommits(streams);
    }

    private static long gcMillis() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
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

    private void printCommits(StreamsService streams) {
        printPhaseCommits(streams);
        printCommitTotals(streams);
        printBrokerRequestTimes();
    }

    /**
     * The in-process broker's own view of the requests a commit makes (and the fetches): mean time per
     * request since start, in its queue, handled locally, waiting remotely (e.g. for a transaction
     * coordinator's verification), and its count.
     */
    private static void printBrokerRequestTimes() {
        try {
            var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            StringBuilder out = new StringBuilder("  broker, mean ms total (queue/local/remote/response queue) count:");
            for (String request : List.of("Produce", "AddPartitionsToTxn", "AddOffsetsToTxn", "TxnOffsetCommit", "EndTxn",
                    "FetchConsumer")) {
                double[] means = new double[5];
                String[] names = {"TotalTimeMs", "RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs"};
                long count = 0;
                boolean found = false;
                for (int n = 0; n < names.length; n++) {
                    var name = new javax.management.ObjectName("kafka.network:type=RequestMetrics,name=" + names[n]
                            + ",request=" + request);
                    if (server.isRegistered(name)) {
                        found = true;
                        means[n] = ((Number) server.getAttribute(name, "Mean")).doubleValue();
                        count = ((Number) server.getAttribute(name, "Count")).longValue();
                    }
                }
                if (found) {
                    out.append(String.format(" %s %.2f (%.2f/%.2f/%.2f/%.2f) %d;", request, means[0], means[1], means[2],
                            means[3], means[4], count));
                }
            }
            System.out.println(out);
        } catch (Exception e) {
            System.out.println("  broker request times unavailable: " + e);
        }
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

    /** CPU time of this JVM and its child processes (redis-server), from /proc; JVM only elsewhere. */
    private static long cpuNanos() {
        return ProcStats.ownCpuNanos() + childCpuNanos();
    }

    private static long childCpuNanos() {
        return ProcessHandle.current().children().mapToLong(child -> ProcStats.cpuNanos(child.pid())).sum();
    }

    private boolean caughtUp(RedisMarketDataReader reader) {
        for (int m = 0; m < markets.size(); m++) {
            // the last book or trade message at or after the model's last book-changing event
            if (lastSeqSeen[m] < models.get(m).seq() - 50) {
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
        if (recording) {
            for (long seq = Math.max(1, first); seq <= last && seq < sentNanos[market].length; seq++) {
                long sent = sentNanos[market][(int) seq];
                if (sent != 0) {
                    recorder.recordValue(Math.max(0, now - sent));
                    if (receivedNanos[market][(int) seq] == 0) {
                        receivedNanos[market][(int) seq] = now;
                    }
                }
            }
        }
    }

    private void latency(KafkaProducer<String, EngineEvent> producer, int rate, int seconds) throws Exception {
        long interval = 1_000_000_000L / rate;
        long total = (long) rate * seconds;
        long warmup = total / 4;
        long start = System.nanoTime();
        long recordedFrom = Long.MAX_VALUE;
        long[] firstSeq = new long[markets.size()];
        for (int m = 0; m < markets.size(); m++) {
            firstSeq[m] = models.get(m).seq() + 1;
        }
        recorder.reset();
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                if (wait > 50_000) {
                    LockSupport.parkNanos(wait - 20_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            if (i == warmup) {
                recorder.reset();
                recording = true;
                recordedFrom = System.nanoTime();
            }
            int m = (int) (i % markets.size());
            EngineEvent event = models.get(m).next();
            if (event.seq() < sentNanos[m].length && BookChanges.changesBook(event)) {
                sentNanos[m][(int) event.seq()] = System.nanoTime();
            }
            producer.send(new ProducerRecord<>(Topics.ENGINE_EVENTS.name(), event.market(), event));
        }
        double offeredSeconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(Duration.ofSeconds(2).toMillis());
        recording = false;
        Histogram h = recorder.getIntervalHistogram();
        System.out.printf("rate %,d events/s (achieved %,.0f): event to PUBLISH p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, "
                        + "p99.9 %.2f ms, max %.2f ms (%,d samples)%n",
                rate, total / offeredSeconds, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(90) / 1e6,
                h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6,
                h.getTotalCount());
        if (tracing != null) {
            explain(recordedFrom, firstSeq);
        }
    }

    /**
     * Where the recorded events' time went: sent to handed over by the stream thread (producer, broker,
     * consumer, the stream thread and any commit it was in), handed over to PUBLISH received (the sink's
     * sender, Lettuce, Redis, the subscriber); and which of the slow ones were sent during a commit (from
     * its barrier's start to the stream thread's next hand-over) or a collection pause.
     */
    private void explain(long recordedFrom, long[] firstSeq) {
        Histogram toStream = new Histogram(3);
        Histogram toRedis = new Histogram(3);
        List<long[]> slow = new ArrayList<>();
        long recordedTo = System.nanoTime();
        for (int m = 0; m < markets.size(); m++) {
            for (long seq = firstSeq[m]; seq <= models.get(m).seq() && seq < sentNanos[m].length; seq++) {
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
                        if (info.getGcName().contains("Concurrent")) {
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
