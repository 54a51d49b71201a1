package io.marketstream.bench.streams;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.marketstream.bench.BookChanges;
import io.marketstream.bench.ChildJvm;
import io.marketstream.bench.ProcStats;
import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.streams.EngineEventModel;

/**
 * The benchmark's stand-in for the engine and its Kafka: a real broker ({@link EmbeddedKafka}, KRaft) holding the
 * engine-events topic, the seeded engine-event models (one per market) and the producer that writes their events,
 * either at once ({@link #produce}) or at a fixed rate noting when each book-changing event was handed to the
 * producer ({@link #send}).
 *
 * <p>It runs in the streams job's JVM ({@code --broker in-process}) or, as in a deployment, in a JVM of its own
 * ({@link #main}, driven through {@link ChildJvm} by {@link Child}), so that the broker's and the producer's threads
 * and garbage do not pause the job. Both clocks are {@link System#nanoTime()}, which on Linux is the machine's
 * monotonic clock, the same in every process, so the send times of the child compare with the receive times of the
 * parent.
 */
final class EngineSide implements EventSource {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();

    private final List<MarketSpec> markets = CATALOG.all();
    private final List<EngineEventModel> models = new ArrayList<>();
    private final EmbeddedKafka kafka;
    private final KafkaProducer<String, EngineEvent> producer;
    private boolean readOnce;

    EngineSide(Map<String, String> brokerOverrides) throws Exception {
        long start = System.currentTimeMillis();
        for (int i = 0; i < markets.size(); i++) {
            models.add(new EngineEventModel(markets.get(i), 42 + i, start, 1));
        }
        kafka = EmbeddedKafka.start(java.time.Duration.ofSeconds(60), brokerOverrides);
        try {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(Topics.ENGINE_EVENTS.name(), markets.size(), (short) 1)))
                        .all().get();
            }
            java.util.Properties p = new java.util.Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            producer = new KafkaProducer<>(p, Topics.ENGINE_EVENTS.keySerde().serializer(),
                    Topics.ENGINE_EVENTS.valueSerde().serializer());
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
    }

    @Override
    public String bootstrap() {
        return kafka.bootstrapServers();
    }

    @Override
    public long pid() {
        return -1;
    }

    @Override
    public long[] produce(int events) {
        for (int i = 0; i < events; i++) {
            int m = i % markets.size();
            EngineEvent event = models.get(m).next();
            producer.send(new ProducerRecord<>(Topics.ENGINE_EVENTS.name(), event.market(), event));
        }
        producer.flush();
        return lastSeqs();
    }

    private long[] lastSeqs() {
        long[] last = new long[markets.size()];
        for (int m = 0; m < markets.size(); m++) {
            last[m] = models.get(m).seq();
        }
        return last;
    }

    @Override
    public EventSource.Phase send(int rate, int seconds, long[][] sentNanos) {
        long interval = 1_000_000_000L / rate;
        long total = (long) rate * seconds;
        long warmup = total / 4;
        long[] firstSeq = new long[markets.size()];
        for (int m = 0; m < markets.size(); m++) {
            firstSeq[m] = models.get(m).seq() + 1;
        }
        long recordedFrom = Long.MAX_VALUE;
        long start = System.nanoTime();
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
                recordedFrom = System.nanoTime();
            }
            int m = (int) (i % markets.size());
            EngineEvent event = models.get(m).next();
            long seq = event.seq();
            if (seq < sentNanos[m].length && BookChanges.changesBook(event)) {
                sentNanos[m][(int) seq] = System.nanoTime();
            }
            producer.send(new ProducerRecord<>(Topics.ENGINE_EVENTS.name(), event.market(), event));
        }
        double achieved = total / ((System.nanoTime() - start) / 1e9);
        return new EventSource.Phase(firstSeq, lastSeqs(), recordedFrom, achieved);
    }

    /**
     * The first time, reads the topic once from the start with a consumer of this JVM, so that the broker's fetch path
     * is compiled before the job's catch-up, as a deployment's long-running broker's is: in a JVM of its own the
     * broker would otherwise compile it during the job's first catch-up, on the same two cores. (In the job's JVM
     * this is not done: the consumer code it would compile is the job's own.)
     */
    private void readOnce() {
        if (readOnce) {
            return;
        }
        readOnce = true;
        java.util.Properties p = new java.util.Properties();
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        long total = Arrays.stream(lastSeqs()).sum();
        long read = 0;
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(Topics.ENGINE_EVENTS.name()).stream()
                    .map(info -> new org.apache.kafka.common.TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
            while (read < total && System.nanoTime() < deadline) {
                read += consumer.poll(java.time.Duration.ofMillis(200)).count();
            }
        }
    }

    @Override
    public String brokerReport() {
        StringBuilder out = new StringBuilder("broker, mean ms total (queue/local/remote/response queue) count:");
        try {
            var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
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
        } catch (Exception e) {
            out.append(" unavailable: ").append(e);
        }
        long count = 0;
        long millis = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return out.append(String.format(" its JVM's collections since start: %d, %d ms", count, millis)).toString();
    }

    @Override
    public void close() {
        producer.close();
        kafka.close();
    }

    /**
     * The engine's side in a JVM of its own: {@code [--broker-config key=value,…]}; prints {@code ready bootstrap=…},
     * then answers {@code produce N} (the first time also reading the topic once, see {@link #readOnce}),
     * {@code send RATE SECONDS FILE} (the send times written to FILE) and
     * {@code report}, one line each, until {@code quit} or the end of its input (its parent is gone).
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].equals("--broker-config")) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
            overrides.putAll(brokerConfig(args[i + 1]));
        }
        try (EngineSide side = new EngineSide(overrides);
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("ready bootstrap=" + side.bootstrap());
            String line;
            while ((line = in.readLine()) != null && !line.equals("quit")) {
                String[] w = line.trim().split(" ");
                switch (w[0]) {
                    case "produce" -> {
                        long[] last = side.produce(Integer.parseInt(w[1]));
                        side.readOnce();
                        System.out.println("produced last=" + join(last));
                    }
                    case "send" -> {
                        int rate = Integer.parseInt(w[1]);
                        int seconds = Integer.parseInt(w[2]);
                        long[][] sent = new long[side.markets.size()][];
                        for (int m = 0; m < sent.length; m++) {
                            sent[m] = new long[(int) (side.models.get(m).seq() + (long) rate * seconds + 2)];
                        }
                        EventSource.Phase phase = side.send(rate, seconds, sent);
                        writeSent(Path.of(w[3]), phase, sent);
                        System.out.println("sent first=" + join(phase.firstSeq()) + " last=" + join(phase.lastSeq())
                                + " recordedFrom=" + phase.recordedFrom() + " achieved=" + phase.achieved());
                    }
                    case "report" -> System.out.println("report " + side.brokerReport());
                    default -> System.out.println("error unknown command " + line);
                }
            }
            ChildJvm.haltUnlessDoneWithin(60, "the engine side did not stop within 60 s");
        }
    }

    /** {@code key=value,…} as broker settings. */
    static Map<String, String> brokerConfig(String spec) {
        Map<String, String> out = new HashMap<>();
        for (String kv : spec.split(",")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("broker settings are key=value,…: " + spec);
            }
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }

    private static String join(long[] values) {
        return String.join(",", Arrays.stream(values).mapToObj(Long::toString).toList());
    }

    private static long[] split(String values) {
        return Arrays.stream(values.split(",")).mapToLong(Long::parseLong).toArray();
    }

    private static void writeSent(Path file, EventSource.Phase phase, long[][] sent) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            for (int m = 0; m < sent.length; m++) {
                for (long seq = phase.firstSeq()[m]; seq <= phase.lastSeq()[m]; seq++) {
                    out.writeLong(sent[m][(int) seq]);
                }
            }
        }
    }

    /** The engine's side in a child JVM, driven over its stdin and stdout. */
    static final class Child implements EventSource {
        private final ChildJvm child;
        private final String bootstrap;

        Child(String jvmOptions, String brokerConfig) throws Exception {
            List<String> args = brokerConfig == null || brokerConfig.isBlank() ? List.of()
                    : List.of("--broker-config", brokerConfig);
            child = ChildJvm.start(EngineSide.class, jvmOptions, args, null, 120);
            bootstrap = ChildJvm.pairs(child.readyLine()).get("bootstrap");
        }

        @Override
        public String bootstrap() {
            return bootstrap;
        }

        @Override
        public long pid() {
            return child.pid();
        }

        @Override
        public long[] produce(int events) throws Exception {
            return split(ChildJvm.pairs(child.ask("produce " + events, "produced", 600)).get("last"));
        }

        @Override
        public EventSource.Phase send(int rate, int seconds, long[][] sentNanos) throws Exception {
            Path file = Files.createTempFile("streams-bench-sent-", ".bin");
            try {
                Map<String, String> answer = ChildJvm.pairs(child.ask("send " + rate + " " + seconds + " " + file,
                        "sent", seconds + 120));
                EventSource.Phase phase = new EventSource.Phase(split(answer.get("first")), split(answer.get("last")),
                        Long.parseLong(answer.get("recordedFrom")), Double.parseDouble(answer.get("achieved")));
                try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
                    for (int m = 0; m < sentNanos.length; m++) {
                        for (long seq = phase.firstSeq()[m]; seq <= phase.lastSeq()[m]; seq++) {
                            long sent = in.readLong();
                            if (seq < sentNanos[m].length) {
                                sentNanos[m][(int) seq] = sent;
                            }
                        }
                    }
                }
                return phase;
            } finally {
                Files.deleteIfExists(file);
            }
        }

        @Override
        public String brokerReport() throws Exception {
            return child.ask("report", "report", 30).substring("report ".length());
        }

        @Override
        public void close() throws Exception {
            child.close(60);
        }
    }

    /** How many {@link ProcStats} CPU nanoseconds the process holding the broker used ({@code 0}: this JVM's own). */
    static long cpuNanos(EventSource events) {
        return events.pid() < 0 ? 0 : ProcStats.cpuNanos(events.pid());
    }
}
