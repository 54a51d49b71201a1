package io.marketstream.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Matching throughput, our engine beside exchange-core, on the same {@link OrderMix}: 20,000
 * resting orders (about 1,000 price levels a side) pre-filled, then {@value #OPS} measured ops
 * (70% limit, 25% cancel of a live order, 5% market) from 500 accounts.
 *
 * <p>One invocation runs the whole measured list on a fresh, pre-filled engine (the fresh engine
 * and the pre-fill are built in a per-invocation setup, which JMH leaves out of the time) and is
 * counted as {@value #OPS} operations, so the score is ops per second. Each invocation's result is
 * checked against the mix's reference book afterwards (same trade count, nothing rejected), so a
 * broken adapter fails the run rather than reporting a fast wrong figure.
 *
 * <p>Compare engines as ratios within one run: the machine is shared and noisy. Run:
 * {@code java -jar bench/target/benchmarks.jar MatchingThroughputBenchmark -f 1 -wi 3 -i 5}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g",
        // touch the whole heap at start: without it, when G1 grows the young generation into
        // regions never used before, every allocation there pays the kernel's first-touch page
        // faults, and iterations of either engine can fall to half speed with no collection at all
        "-XX:+AlwaysPreTouch",
        // exchange-core serializes its admin commands with Chronicle Bytes, which reflects into
        // String internals, Buffer.address and FileChannelImpl.unmap0; without these it fails
        // (or its pipeline thread dies silently) on Java 17.
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MatchingThroughputBenchmark {
    static final int OPS = 1_000_000;
    static final long SEED = 42;
    static final int ACCOUNTS = 500;
    static final int ORDERS_PER_LEVEL = 10;

    @Param({"marketstream", "exchange-core-yielding", "exchange-core-blocking"})
    public String engine;

    private OrderMix mix;
    private EngineAdapter adapter;

    @Setup(Level.Trial)
    public void generate() {
        mix = OrderMix.generate(SEED, ACCOUNTS, ORDERS_PER_LEVEL, OPS);
        adapter = EngineAdapter.named(engine);
    }

    @Setup(Level.Invocation)
    public void freshEngine() {
        adapter.start(mix);
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void matchMix(Blackhole blackhole) {
        blackhole.consume(adapter.runAll());
    }

    @TearDown(Level.Invocation)
    public void checkWork() {
        adapter.verify();
    }

    @TearDown(Level.Trial)
    public void stop() {
        adapter.close();
    }
}
