package io.marketstream.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.marketstream.app.analytics.CsvRows;
import io.marketstream.app.analytics.TradeAnalytics;
import io.marketstream.app.analytics.WindowRow;

/**
 * {@code analytics}: an example consumer group on the trades: per market and one-minute window, VWAP, volume and
 * trade count, and each account's traded volume, as CSV rows. Run several with the same {@code --group} and they
 * share the partitions. docs/replay-and-analytics.md has the details and the guarantee.
 */
@Command(name = "analytics", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"An example consumer group on the engine's trades: per-market one-minute VWAP, volume and trade "
                + "count, and per-account volume, as CSV.",
                "Per market and one-minute window (event time): the trade count, base and quote volume and VWAP, and "
                        + "the same per account, as CSV rows (" + WindowRow.HEADER + ").",
                "A window is written once it has closed. Instances with the same --group share the partitions and "
                        + "carry on from each other's committed offsets; Ctrl-C commits and leaves the group."})
final class AnalyticsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @CommandLine.Mixin
    Main.MarketOptions markets = new Main.MarketOptions();

    @CommandLine.Mixin
    Main.KafkaOptions kafka = new Main.KafkaOptions();

    @Option(names = "--group", defaultValue = "${env:MARKETSTREAM_ANALYTICS_GROUP:-marketstream-analytics}",
            description = "Consumer group (env MARKETSTREAM_ANALYTICS_GROUP; default ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--csv", paramLabel = "FILE",
            description = "Append the rows to FILE (a header first if it is new); default: standard output.")
    Path csv;

    @Option(names = "--grace", defaultValue = "5", paramLabel = "SECONDS",
            description = "Event time a window waits past its end for late trades before it closes (default ${DEFAULT-VALUE}).")
    long graceSeconds;

    @Override
    public Integer call() throws Exception {
        if (graceSeconds < 0 || graceSeconds > 3_600) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--grace must be between 0 and 3600 seconds");
        }
        if (group == null || group.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--group must not be empty");
        }
        try (CsvRows rows = csv == null ? CsvRows.to(System.out) : CsvRows.appendingTo(csv)) {
            TradeAnalytics analytics = new TradeAnalytics(markets.catalog(), kafka.bootstrap, group,
                    Duration.ofSeconds(graceSeconds), rows);
            CountDownLatch done = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                analytics.close();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "analytics-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                analytics.run();
            } finally {
                done.countDown();
            }
        }
        return 0;
    }
}
