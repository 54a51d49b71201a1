package io.marketstream.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import io.marketstream.engine.MatchingEngine;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;

/**
 * In-memory matching throughput on a mix of about 70% limit orders, 25% cancels and 5% market
 * orders against a book some hundreds of levels deep, commands pre-generated so that only the
 * engine is measured. Run: {@code java -jar bench/target/benchmarks.jar MatchingBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MatchingBenchmark {
    private static final int COMMANDS = 1 << 20;
    private static final String MARKET = "BTC-USD";

    private List<OrderCommand> commands;
    private MatchingEngine engine;
    private int next;

    @Setup(Level.Trial)
    public void generate() {
        Random random = new Random(1);
        commands = new ArrayList<>(COMMANDS);
        long mid = 5_000_000;
        long placed = 0;
        for (int i = 0; i < COMMANDS; i++) {
            int roll = random.nextInt(100);
            Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
            if (roll < 25 && placed > 0) {
                commands.add(new CancelOrder("c" + i, MARKET, 1, 1 + (long) (random.nextDouble() * placed), 0));
            } else if (roll < 30) {
                commands.add(new PlaceMarketOrder("m" + i, MARKET, 2, "m" + i, side, "0.0100", 0));
                placed++;
            } else {
                long offset = random.nextInt(1_000) - 20;
                long price = side == Side.BUY ? mid - offset : mid + offset;
                commands.add(new PlaceLimitOrder("l" + i, MARKET, 1 + random.nextInt(100), "l" + i, side,
                        price / 100 + "." + String.format("%02d", price % 100), "0.0" + (1 + random.nextInt(9)) + "00", 0));
                placed++;
            }
        }
    }

    @Setup(Level.Iteration)
    public void freshEngine() {
        engine = new MatchingEngine(MarketCatalog.defaults());
        next = 0;
    }

    @Benchmark
    public void process(Blackhole blackhole) {
        if (next == COMMANDS) {
            freshEngine();
        }
        blackhole.consume(engine.process(commands.get(next++), 0));
    }
}
