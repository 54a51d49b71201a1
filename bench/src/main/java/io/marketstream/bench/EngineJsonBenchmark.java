package io.marketstream.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import io.marketstream.engine.MatchingEngine;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.OrderCommandReader;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.EngineEventWriter;

/**
 * The engine service's JSON work per record, databind against the streaming codecs: reading the
 * commands of {@link EngineThroughKafka}'s mix, and writing the events the engine makes of them.
 * Scores are per command (reading) and per event (writing).
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar EngineJsonBenchmark -f 1 -wi 3 -i 5}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EngineJsonBenchmark {
    private static final int COMMANDS = 10_000;

    private final List<byte[]> commands = new ArrayList<>();
    private final List<EngineEvent> events = new ArrayList<>();
    private final EngineEventWriter writer = new EngineEventWriter();

    @Setup(Level.Trial)
    public void generate() {
        MarketCatalog catalog = MarketCatalog.defaults();
        MatchingEngine engine = new MatchingEngine(catalog);
        for (OrderCommand c : EngineThroughKafka.generate(catalog, 50_000).subList(40_000, 50_000)) {
            commands.add(Json.writeBytes(c));
        }
        // the deposits first, so that the mix's orders are accepted
        for (OrderCommand c : EngineThroughKafka.generate(catalog, 50_000)) {
            events.addAll(engine.process(c, c.ts()));
        }
        events.subList(0, events.size() - COMMANDS).clear();
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public void readCommandsWithDatabind(Blackhole bh) {
        for (byte[] c : commands) {
            bh.consume(Json.read(c, OrderCommand.class));
        }
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public void readCommandsStreaming(Blackhole bh) {
        for (byte[] c : commands) {
            bh.consume(OrderCommandReader.read(c));
        }
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public void writeEventsWithDatabind(Blackhole bh) {
        for (EngineEvent e : events) {
            bh.consume(Json.writeBytes(e));
        }
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public void writeEventsStreaming(Blackhole bh) {
        for (EngineEvent e : events) {
            bh.consume(writer.write(e));
        }
    }
}
