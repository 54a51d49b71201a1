package io.marketstream.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.engine.EngineService;
import io.marketstream.engine.MatchingEngine;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;
import io.marketstream.protocol.kafka.Topics;

/**
 * Sustained engine throughput through Kafka on the embedded broker: a backlog of commands
 * (deposits, then about 70% limit, 25% cancel, 5% market, over two markets on two partitions) is
 * written to the command topic first; then one {@link EngineService} is started and timed from its
 * first committed command to the commit of the last, every event acknowledged by the broker (acks=all,
 * idempotent) before each commit. Committed offsets are read every 50 ms.
 *
 * <p>Printed, each with commands/s, the CPU time per command (of the whole JVM: broker, engine, its
 * Kafka clients, harness; and of the engine thread alone) and the time the JIT compilers and the
 * collectors spent meanwhile:
 * <ul>
 *   <li>the <b>whole run</b>, first to last commit, always: a fresh JVM, so it includes the JIT
 *       compiling the broker, the clients and the engine (a third of the JVM's CPU in the first
 *       seconds);</li>
 *   <li>with {@code --warmup N}, the <b>warm-up</b>: the first N commands of the same mix, processed
 *       and committed by the same engine before the timed window, reported on their own;</li>
 *   <li>the <b>sustained</b> rate: the timed window, from the first commit covering the warm-up (the
 *       first commit, without one) to the last; its CPU per command by thread group (from
 *       {@code /proc}, with the JIT and GC threads);</li>
 *   <li>the timed window <b>by quarter</b> of its commands, and its second half: whether the rate is
 *       steady or still rising as the JIT finishes.</li>
 * </ul>
 * The CPU figures hardly depend on what else runs on the machine; the rates do.
 *
 * <p>Run: {@code java -Xmx4g -cp bench/target/benchmarks.jar io.marketstream.bench.EngineThroughKafka
 * [commands] [--warmup N]} (default 1,000,000 timed commands, no warm-up). Kafka client settings to
 * try: {@code -Dproducer.<setting>=…} and {@code -Dconsumer.<setting>=…} (the engine's defaults
 * otherwise).
 */
public final class EngineThroughKafka {
    private static final String GROUP = "engine-throughput";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private EngineThroughKafka() {
    }

    public static void main(String[] args) throws Exception {
        int count = 1_000_000;
        int warmup = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--warmup")) {
                warmup = Integer.parseInt(args[++i]);
            } else {
                count = Integer.parseInt(args[i]);
            }
        }
        int total = warmup + count;
        MarketCatalog catalog = MarketCatalog.defaults();
        List<OrderCommand> commands = generate(catalog, total);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(Topics.ORDER_COMMANDS.name(), 2, (short) 1),
                        new NewTopic(Topics.ENGINE_EVENTS.name(), 2, (short) 1),
                        new NewTopic(Topics.ORDER_COMMANDS_DEAD_LETTER.name(), 1, (short) 1))).all().get();
            }
            long produceStart = System.nanoTime();
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                    new ByteArraySerializer())) {
                for (OrderCommand c : commands) {
                    producer.send(new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), c.market(), Json.writeBytes(c)));
                }
                producer.flush();
            }
            System.out.printf("backlog of %,d commands written in %.1f s%s%n", total,
                    (System.nanoTime() - produceStart) / 1e9,
                    warmup > 0 ? String.format(" (%,d warm-up, then %,d timed)", warmup, count) : "");

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            EngineService engine = new EngineService(new MatchingEngine(catalog), kafka.bootstrapServers(), GROUP,
                    1_000_000, Duration.ofSeconds(30), registry, overrides("consumer."), overrides("producer."));
            Thread thread = new Thread(engine, "engine");
            long start = System.nanoTime();
            thread.start();
            // the first commit; the first commit covering the warm-up (the timed window's start, the
            // same as the first when there is no warm-up); each quarter of the timed commands; the last
            Mark first = null;
            Mark timed = null;
            Mark[] quarters = new Mark[5];
            Map<String, Long> firstThreads = Map.of();
            Map<String, Long> timedThreads = Map.of();
            int quarter = 1;
            long committed = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                while (committed < total && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    committed = 0;
                    Map<TopicPartition, OffsetAndMetadata> offsets =
                            admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
                    for (OffsetAndMetadata o : offsets.values()) {
                        committed += o == null ? 0 : o.offset();
                    }
                    if (committed == 0) {
                        continue;
                    }
                    Mark now = Mark.take(committed, thread);
                    if (first == null) {
                        first = now;
                        firstThreads = threadTicks();
                    }
                    if (timed == null && committed >= warmup) {
                        timed = now;
                        quarters[0] = now;
                        timedThreads = first == now ? firstThreads : threadTicks();
                    }
                    while (timed != null && quarter < 4 && committed >= warmup + (long) count * quarter / 4) {
                        quarters[quarter++] = now;
                    }
                }
            }
            Mark last = Mark.take(committed, thread);
            Map<String, Long> lastThreads = threadTicks();
            engine.close();
            thread.join(10_000);
            if (first == null || timed == null || committed < total) {
                throw new IllegalStateException("the engine committed " + committed + " of " + total
                        + " commands within 10 minutes");
            }
            long events = engine.commandsProcessed();
            System.out.printf("engine: %,d commands committed, %.2f s from first to last commit "
                            + "(%.2f s including startup; %,d commands counted by the engine)%n", committed,
                    (last.nanos - first.nanos) / 1e9, (last.nanos - start) / 1e9, events);
            int cores = Runtime.getRuntime().availableProcessors();
            System.out.println("whole run, first to last commit (the JVM fresh, the JIT compiling):");
            System.out.println("  " + first.to(last, cores));
            if (warmup > 0) {
                System.out.printf("warm-up, first commit to the commit covering command %,d:%n", warmup);
                System.out.println("  " + first.to(timed, cores));
            }
            System.out.printf("sustained: %,.0f commands/s through Kafka (%s)%n",
                    (last.committed - timed.committed) / ((last.nanos - timed.nanos) / 1e9),
                    warmup > 0 ? "the timed window, after the warm-up" : "first to last commit, no warm-up");
            double measured = last.committed - timed.committed;
            System.out.printf("CPU per command: %.2f us whole JVM (%.0f%% of %d cores), %.2f us engine thread%n",
                    (last.processCpu - timed.processCpu) / 1e3 / measured,
                    100.0 * (last.processCpu - timed.processCpu) / (last.nanos - timed.nanos) / cores, cores,
                    (last.engineCpu - timed.engineCpu) / 1e3 / measured);
            quarters[4] = last;
            if (quarter == 4) {
                System.out.println("by quarter of the timed commands (commit to commit, 50 ms apart):");
                for (int i = 0; i < 4; i++) {
                    System.out.printf("  Q%d %s%n", i + 1, quarters[i].to(quarters[i + 1], cores));
                }
                System.out.printf("  second half: %,.0f commands/s%n", (last.committed - quarters[2].committed)
                        / ((last.nanos - quarters[2].nanos) / 1e9));
            }
            printThreadGroups(timedThreads, lastThreads, measured);
        }
    }

    /** The harness's reading at one offset poll: commands committed, clocks. */
    private record Mark(long committed, long nanos, long processCpu, long engineCpu, long jitMillis, long gcMillis) {
        static Mark take(long committed, Thread engine) {
            long gc = 0;
            for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
                gc += Math.max(0, b.getCollectionTime());
            }
            return new Mark(committed, System.nanoTime(), processCpuNanos(), THREADS.getThreadCpuTime(engine.getId()),
                    ManagementFactory.getCompilationMXBean().getTotalCompilationTime(), gc);
        }

        /** Rate, CPU per command and the JIT's and collectors' time from this reading to a later one. */
        String to(Mark later, int cores) {
            double n = later.committed - committed;
            if (n == 0 || later.nanos == nanos) {
                // a short run: both ends fell on the same reading of the offsets
                return "within one reading of the committed offsets (50 ms)";
            }
            double seconds = (later.nanos - nanos) / 1e9;
            long cpu = later.processCpu - processCpu;
            return String.format("%,d commands in %.2f s = %,.0f commands/s; CPU per command %.2f us whole JVM "
                            + "(%.0f%% of %d cores), %.2f us engine thread; JIT compiling %.1f s, GC %.2f s",
                    (long) n, seconds, n / seconds, cpu / 1e3 / n, 100.0 * cpu / (later.nanos - nanos) / cores,
                    cores, (later.engineCpu - engineCpu) / 1e3 / n, (later.jitMillis - jitMillis) / 1e3,
                    (later.gcMillis - gcMillis) / 1e3);
        }
    }

    /**
     * CPU clock ticks per thread group (the thread's name with digits removed), from
     * {@code /proc/self/task}: unlike {@link ThreadMXBean} this includes the JVM's own threads (GC,
     * JIT compilers). Empty where there is no {@code /proc}.
     */
    private static Map<String, Long> threadTicks() {
        Map<String, Long> ticks = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // fields[0] is the state (field 3); utime and stime are fields 14 and 15
                    long t = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    ticks.merge(name + "/" + task.getFileName(), t, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException e) {
            return Map.of();
        }
        return ticks;
    }

    private static void printThreadGroups(Map<String, Long> first, Map<String, Long> last, double commands) {
        Map<String, Long> groups = new TreeMap<>();
        last.forEach((thread, t) -> groups.merge(thread.substring(0, thread.lastIndexOf('/')),
                t - first.getOrDefault(thread, 0L), Long::sum));
        long tickNanos = 10_000_000L; // USER_HZ is 100 on Linux
        System.out.println("CPU per command by thread group (from /proc, 10 ms ticks):");
        groups.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> System.out.printf("  %6.2f us  %s%n", e.getValue() * tickNanos / 1e3 / commands, e.getKey()));
    }

    /**
     * Client settings to try, from system properties: {@code -Dproducer.linger.ms=5} overrides the
     * engine's event producers' {@code linger.ms}, {@code -Dconsumer.max.poll.records=…} its consumer's.
     */
    private static Map<String, Object> overrides(String prefix) {
        Map<String, Object> out = new TreeMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(prefix))
                .forEach(k -> out.put(k.substring(prefix.length()), System.getProperty(k)));
        if (!out.isEmpty()) {
            System.out.println(prefix + " overrides: " + out);
        }
        return out;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Deposits for every account, then the mix; deterministic. */
    static List<OrderCommand> generate(MarketCatalog catalog, int count) {
        Random random = new Random(7);
        List<OrderCommand> out = new ArrayList<>(count);
        int accounts = 200;
        for (MarketSpec m : catalog.all()) {
            for (int a = 1; a <= accounts; a++) {
                out.add(new Deposit("d-" + m.symbol() + "-" + a + "-b", m.symbol(), a, m.base(), "1000000", 1));
                out.add(new Deposit("d-" + m.symbol() + "-" + a + "-q", m.symbol(), a, m.quote(), "10000000000", 1));
            }
        }
        List<List<Long>> owners = new ArrayList<>();
        catalog.all().forEach(m -> owners.add(new ArrayList<>()));
        for (int i = out.size(); i < count; i++) {
            int mi = random.nextInt(catalog.all().size());
            MarketSpec m = catalog.all().get(mi);
            long mid = mi == 0 ? 5_000_000 : 300_000;
            int roll = random.nextInt(100);
            Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
            long account = 1 + random.nextInt(accounts);
            List<Long> placed = owners.get(mi);
            if (roll < 25 && !placed.isEmpty()) {
                // order ids are given in acceptance order, and every placement here is accepted
                int id = Math.max(0, placed.size() - 1 - random.nextInt(2_000));
                out.add(new CancelOrder("c" + i, m.symbol(), placed.get(id), id + 1, i));
            } else if (roll < 30) {
                out.add(new PlaceMarketOrder("m" + i, m.symbol(), account, null, side, "0.0100", i));
                placed.add(account);
            } else {
                long offset = random.nextInt(1_000) - 20;
                long price = side == Side.BUY ? mid - offset : mid + offset;
                out.add(new PlaceLimitOrder("l" + i, m.symbol(), account, null, side, m.formatPrice(price),
                        "0.0" + (1 + random.nextInt(9)) + "00", i));
                placed.add(account);
            }
        }
        return out;
    }
}
