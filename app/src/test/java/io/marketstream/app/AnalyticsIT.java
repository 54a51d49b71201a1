package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import io.marketstream.app.analytics.CsvRows;
import io.marketstream.app.analytics.TradeAnalytics;
import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.Trade;

/**
 * {@code app analytics} as a consumer group on a real broker: two instances split the partitions and together
 * write every window once; when one stops the other takes its partition over from its commit; an instance
 * restarted from its committed offsets carries on without counting a trade twice. Expected rows are computed
 * here from the trades produced.
 */
class AnalyticsIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final long T0 = (System.currentTimeMillis() - 60 * 60_000) / 60_000 * 60_000;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        KafkaTopicsSetup.ensure(kafka.bootstrapServers(), 2, (short) 1);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    /** An analytics instance on its own thread, writing to its own file. */
    private record Instance(TradeAnalytics analytics, CsvRows rows, Thread thread) implements AutoCloseable {
        static Instance start(String group, Path csv) {
            CsvRows rows = CsvRows.appendingTo(csv);
            TradeAnalytics analytics = new TradeAnalytics(CATALOG, kafka.bootstrapServers(), group, GRACE, rows);
            Thread thread = new Thread(analytics, "analytics-" + csv.getFileName());
            thread.start();
            return new Instance(analytics, rows, thread);
        }

        /** Stops it (commits and leaves the group); closing again does nothing. */
        @Override
        public void close() throws InterruptedException {
            if (thread.isAlive()) {
                analytics.close();
                thread.join(20_000);
            }
            rows.close();
        }
    }

    @Test
    void shouldCountEveryTradeOnceAcrossInstancesRebalancesAndRestarts(@TempDir Path dir) throws Exception {
        HistoricalEvents history = new HistoricalEvents(CATALOG, 5).fund(T0).trade(60, T0 + 1_000, 2_000);
        int phaseOne = history.events().size();
        Set<String> afterPhaseOne = expectedRows(history.events(), true);
        assertThat(afterPhaseOne).hasSizeGreaterThan(10);

        Path pairA = dir.resolve("pair-a.csv");
        Path pairB = dir.resolve("pair-b.csv");
        Path solo = dir.resolve("solo.csv");
        Instance a = Instance.start("pair", pairA);
        Instance b = Instance.start("pair", pairB);
        Instance s = Instance.start("solo", solo);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> a.analytics().assignment().size() == 1
                    && b.analytics().assignment().size() == 1);
            // produced only once the pair has split the partitions: before that, whichever instance
            // joined first could take both partitions and count everything before the rebalance
            history.produce(kafka.bootstrapServers(), 0);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(distinct(rows(pairA), rows(pairB))).isEqualTo(afterPhaseOne);
                assertThat(distinct(rows(solo))).isEqualTo(afterPhaseOne);
            });
            assertThat(rows(pairA)).as("each instance wrote its partition's windows").isNotEmpty();
            assertThat(rows(pairB)).isNotEmpty();

            b.close();
            await().atMost(Duration.ofSeconds(60)).until(() -> a.analytics().assignment().size() == 2);
            s.close();
        } catch (Throwable failed) {
            a.close();
            throw failed;
        } finally {
            b.close();
            s.close();
        }
        Instance restarted = Instance.start("solo", solo);
        try {
            // the second half, then a deposit on each market five minutes later, which closes every window
            long end = history.events().get(history.events().size() - 1).ts();
            history.trade(60, end + 1_000, 2_000);
            history.fund(end + 130_000 + 300_000);
            history.produce(kafka.bootstrapServers(), phaseOne);
            Set<String> all = expectedRows(history.events(), false);
            assertThat(all).hasSizeGreaterThan(afterPhaseOne.size() + 10);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(distinct(rows(pairA), rows(pairB))).isEqualTo(all);
                assertThat(distinct(rows(solo))).isEqualTo(all);
            });
        } finally {
            restarted.close();
            a.close();
        }
        assertThat(Files.readAllLines(solo).get(0)).startsWith("kind,window_start,market");
        assertThat(Files.readAllLines(solo).stream().filter(l -> l.startsWith("kind,"))).as("one header").hasSize(1);
    }

    @Test
    void shouldRefuseAGraceOutOfRange() {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Main()).setErr(new PrintWriter(err, true))
                .execute("analytics", "--bootstrap", kafka.bootstrapServers(), "--grace", "-1");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--grace must be between 0 and 3600 seconds");
    }

    /** The data rows of a file (not the header); none if it does not exist yet. */
    private static List<String> rows(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.startsWith("kind,")).toList() : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The rows of the files as a set, failing if any row was written twice. */
    @SafeVarargs
    private static Set<String> distinct(List<String>... files) {
        List<String> all = new ArrayList<>();
        for (List<String> f : files) {
            all.addAll(f);
        }
        Set<String> set = new HashSet<>(all);
        assertThat(set).as("no row written twice").hasSameSizeAs(all);
        return set;
    }

    /**
     * The rows for the trades, computed here: per market and minute, and per account (maker and taker, once if the
     * same) in a market and minute; with {@code closedOnly}, only the minutes whose end plus the grace the
     * market's own events have passed (each market is alone in its partition here).
     */
    private static Set<String> expectedRows(List<EngineEvent> events, boolean closedOnly) {
        Map<String, Long> clock = new TreeMap<>();
        events.forEach(e -> clock.merge(e.market(), e.ts(), Math::max));
        Map<String, BigDecimal[]> totals = new TreeMap<>(); // kind|minute|market|account -> count, base, quote
        for (EngineEvent e : events) {
            if (!(e instanceof Trade t)) {
                continue;
            }
            long minute = t.ts() / 60_000 * 60_000;
            if (closedOnly && minute + 60_000 + GRACE.toMillis() > clock.get(t.market())) {
                continue;
            }
            List<String> keys = new ArrayList<>(List.of("market|" + minute + "|" + t.market() + "|"));
            keys.add("account|" + minute + "|" + t.market() + "|" + t.makerAccount());
            if (t.takerAccount() != t.makerAccount()) {
                keys.add("account|" + minute + "|" + t.market() + "|" + t.takerAccount());
            }
            for (String key : keys) {
                BigDecimal[] sum = totals.computeIfAbsent(key, k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
                sum[0] = sum[0].add(BigDecimal.ONE);
                sum[1] = sum[1].add(new BigDecimal(t.qty()));
                sum[2] = sum[2].add(new BigDecimal(t.price()).multiply(new BigDecimal(t.qty())));
            }
        }
        Set<String> out = new HashSet<>();
        totals.forEach((key, sum) -> {
            String[] k = key.split("\\|", -1);
            out.add(k[0] + "," + Instant.ofEpochMilli(Long.parseLong(k[1])) + "," + k[2] + "," + k[3] + "," + sum[0].toPlainString()
                    + "," + sum[1].setScale(4).toPlainString() + "," + sum[2].setScale(6).toPlainString() + ","
                    + sum[2].divide(sum[1], 2, RoundingMode.HALF_UP).toPlainString());
        });
        return out;
    }
}
