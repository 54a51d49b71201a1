package io.marketstream.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * Per-command latency and throughput of our engine and exchange-core, one after the other in one
 * JVM, on the same {@link OrderMix}.
 *
 * <p>For each engine: {@code --warmups} rounds of (fresh pre-filled engine, batched run of all
 * measured ops; fresh engine, one-at-a-time run of all ops), not recorded; then
 * <ol>
 *   <li><b>batched throughput</b>: {@code --batched-rounds} times (default 5), a fresh pre-filled
 *       engine and the clock around {@link EngineAdapter#runAll} (for exchange-core: publish all,
 *       then wait for a final no-op); the median round is reported with the slowest and fastest,
 *       because one round is short and this machine is shared; with it the CPU time per op of the
 *       calling thread (all of our engine's matching; for exchange-core only publishing) and of the
 *       whole JVM (GC, JIT and, for exchange-core, its pipeline threads, spinning included), which
 *       compare versions of one engine better than the rate on a shared machine;</li>
 *   <li><b>latency</b>: fresh pre-filled engine, each op alone: clock, {@link EngineAdapter#runOne}
 *       (which returns when that op's result is in), clock, into an HdrHistogram; ops are sent back
 *       to back (closed loop), so these are service times, with no queueing behind earlier ops; the
 *       summed time gives a one-at-a-time throughput too.</li>
 * </ol>
 * Every run is checked against the mix's reference book. Run:
 * {@code java <flags> -cp bench/target/benchmarks.jar io.marketstream.bench.MatchingLatency
 * [--ops N] [--warmups N] [--batched-rounds N] [--engines marketstream,exchange-core-yielding,...]};
 * exchange-core needs
 * {@code --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
 * --add-opens=java.base/sun.nio.ch=ALL-UNNAMED} (see {@link MatchingThroughputBenchmark}'s {@code @Fork}).
 */
public final class MatchingLatency {

    private MatchingLatency() {
    }

    public static void main(String[] args) {
        int ops = 300_000;
        int warmups = 2;
        int batchedRounds = 5;
        List<String> engines = List.of("marketstream", "exchange-core-yielding", "exchange-core-blocking");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--warmups" -> warmups = Integer.parseInt(args[++i]);
                case "--batched-rounds" -> batchedRounds = Integer.parseInt(args[++i]);
                case "--engines" -> engines = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: [--ops N] [--warmups N] [--batched-rounds N] [--engines a,b,...]");
            }
        }
        OrderMix mix = OrderMix.generate(MatchingThroughputBenchmark.SEED, MatchingThroughputBenchmark.ACCOUNTS,
                MatchingThroughputBenchmark.ORDERS_PER_LEVEL, ops);
        System.out.printf(Locale.ROOT, "java %s, %d cpus, %s%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), mix);
        List<String> report = new ArrayList<>();
        for (String name : engines) {
            try (EngineAdapter adapter = EngineAdapter.named(name)) {
                report.add(measure(adapter, mix, warmups, batchedRounds));
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-24s %31s %14s %9s %9s %9s %9s %9s %9s%n", "engine",
                "batched ops/s median [min..max]",
                "one-at-a-time", "p50 us", "p90 us", "p99 us", "p99.9 us", "p99.99 us", "max us");
        report.forEach(System.out::println);
    }

    private static String measure(EngineAdapter adapter, OrderMix mix, int warmups, int batchedRounds) {
        int ops = mix.measured().size();
        for (int w = 0; w < warmups; w++) {
            adapter.start(mix);
            adapter.runAll();
            adapter.verify();
            adapter.start(mix);
            for (int i = 0; i < ops; i++) {
                adapter.runOne(i);
            }
            adapter.verify();
            System.out.printf(Locale.ROOT, "%s: warm-up round %d done%n", adapter.name(), w + 1);
        }

        long[] batchedNanos = new long[batchedRounds];
        long[] callerCpu = new long[batchedRounds];
        long[] processCpu = new long[batchedRounds];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int r = 0; r < batchedRounds; r++) {
            adapter.start(mix);
            long cpu0 = threads.getCurrentThreadCpuTime();
            long process0 = ProcStats.ownCpuNanos();
            long begin = System.nanoTime();
            adapter.runAll();
            batchedNanos[r] = System.nanoTime() - begin;
            callerCpu[r] = threads.getCurrentThreadCpuTime() - cpu0;
            processCpu[r] = ProcStats.ownCpuNanos() - process0;
            adapter.verify();
        }
        Arrays.sort(batchedNanos);
        Arrays.sort(callerCpu);
        Arrays.sort(processCpu);
        System.out.printf(Locale.ROOT, "%s: batched CPU ns per op, median of %d rounds [min..max]: calling thread %.0f"
                        + " [%.0f..%.0f], whole JVM %.0f [%.0f..%.0f] (load %s)%n", adapter.name(), batchedRounds,
                (double) callerCpu[batchedRounds / 2] / ops, (double) callerCpu[0] / ops,
                (double) callerCpu[batchedRounds - 1] / ops, (double) processCpu[batchedRounds / 2] / ops,
                (double) processCpu[0] / ops, (double) processCpu[batchedRounds - 1] / ops, ProcStats.loadAverage());

        adapter.start(mix);
        Histogram histogram = new Histogram(60_000_000_000L, 3);
        long total = 0;
        for (int i = 0; i < ops; i++) {
            long t0 = System.nanoTime();
            adapter.runOne(i);
            long t1 = System.nanoTime();
            histogram.recordValue(t1 - t0);
            total += t1 - t0;
        }
        adapter.verify();

        String line = String.format(Locale.ROOT, "%-24s %9.0f [%9.0f..%9.0f] %14.0f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f",
                adapter.name(), ops * 1e9 / batchedNanos[batchedRounds / 2],
                ops * 1e9 / batchedNanos[batchedRounds - 1], ops * 1e9 / batchedNanos[0], ops * 1e9 / total,
                micros(histogram, 50), micros(histogram, 90), micros(histogram, 99), micros(histogram, 99.9),
                micros(histogram, 99.99), histogram.getMaxValue() / 1e3);
        System.out.println(line);
        return line;
    }

    private static double micros(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }
}
