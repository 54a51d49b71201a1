package io.marketstream.engine;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * An engine in a process of its own, for the crash test to kill: {@code EngineProcess <bootstrap>
 * <group> <instance>}: a static group member, so a restarted instance takes its partitions straight back. Snapshots every 1,000 commands of a partition, or after 300 ms with any change. With the
 * system property {@code crash.after.events} it halts mid-batch after sending that many events.
 */
public final class EngineProcess {
    private EngineProcess() {
    }

    public static void main(String[] args) {
        EngineService service = new EngineService(new MatchingEngine(CrashTestMarkets.CATALOG), args[0], args[1],
                1_000, Duration.ofMillis(300), new SimpleMeterRegistry(),
                Map.of("group.instance.id", args[2]),
                Map.of("interceptor.classes", CrashingInterceptor.class.getName()));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        service.run();
    }
}
