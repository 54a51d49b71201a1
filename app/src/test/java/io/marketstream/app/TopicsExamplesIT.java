package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.examples.MarketTradesExample;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.kafka.Topics;

/**
 * The consumer examples of docs/topics.md, run against a real broker: the plain Java consumer, and the kcat command
 * lines exactly as documented (when kcat and jq are installed, as .ci/run installs them).
 */
class TopicsExamplesIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final long T0 = (System.currentTimeMillis() - 20 * 60_000) / 60_000 * 60_000;
    private static final long FROM = T0 + 20_000;
    private static final long TO = T0 + 40_000;
    private static EmbeddedKafka kafka;
    private static HistoricalEvents history;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        KafkaTopicsSetup.ensure(kafka.bootstrapServers(), 2, (short) 1);
        history = new HistoricalEvents(CATALOG, 9).fund(T0).trade(150, T0 + 1_000, 200);
        history.produce(kafka.bootstrapServers(), 0);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static List<String> json(long from, long to, boolean tradesOnly) {
        return history.events().stream()
                .filter(e -> e.market().equals("BTC-USD") && e.ts() >= from && e.ts() < to && (!tradesOnly || e instanceof Trade))
                .map(e -> new String(Topics.ENGINE_EVENTS.valueSerde().serializer().serialize(Topics.ENGINE_EVENTS.name(), e),
                        StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void shouldPrintOneMarketsTradesFromATimeWithThePlainJavaConsumer() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long count = MarketTradesExample.printTrades(kafka.bootstrapServers(), "BTC-USD", Instant.ofEpochMilli(FROM),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));

        List<String> expected = history.events().stream()
                .filter(e -> e.market().equals("BTC-USD") && e.ts() >= FROM && e instanceof Trade)
                .map(e -> (Trade) e)
                .map(t -> Instant.ofEpochMilli(t.ts()) + " BTC-USD seq=" + t.seq() + " trade=" + t.tradeId() + " "
                        + t.takerSide() + " " + t.qty() + " @ " + t.price())
                .toList();
        assertThat(expected).hasSizeGreaterThan(10);
        assertThat(count).isEqualTo(expected.size());
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).isEqualTo(expected);
    }

    @Test
    void shouldRunTheDocumentedKcatCommands() throws Exception {
        // Fails rather than skips: .ci/run installs both (Debian packages kcat and jq).
        assertThat(onPath("kcat") && onPath("jq")).as("kcat and jq on the PATH (apt-get install kcat jq)").isTrue();
        String b = kafka.bootstrapServers();
        String topic = Topics.ENGINE_EVENTS.name();

        List<String> market = sh("kcat -C -b " + b + " -t " + topic + " -o s@" + FROM + " -e -q -f '%k\\t%s\\n'"
                + " | awk -F'\\t' '$1 == \"BTC-USD\" { print $2 }'");
        assertThat(market).isEqualTo(json(FROM, Long.MAX_VALUE, false));

        List<String> trades = sh("kcat -C -b " + b + " -t " + topic + " -o s@" + FROM + " -e -q -J"
                + " | jq -c 'select(.key == \"BTC-USD\") | .payload | fromjson | select(.type == \"trade\")'");
        assertThat(trades).hasSizeGreaterThan(10).hasSameSizeAs(json(FROM, Long.MAX_VALUE, true));
        List<EngineEvent> parsed = trades.stream().map(line -> io.marketstream.protocol.Json.read(line, EngineEvent.class)).toList();
        assertThat(parsed).isEqualTo(history.events().stream()
                .filter(e -> e.market().equals("BTC-USD") && e.ts() >= FROM && e instanceof Trade).toList());

        List<String> between = sh("kcat -C -b " + b + " -t " + topic + " -o s@" + FROM + " -o e@" + TO + " -e -q -f '%k\\t%s\\n'"
                + " | awk -F'\\t' '$1 == \"BTC-USD\" { print $2 }'");
        assertThat(between).isEqualTo(json(FROM, TO, false));
    }

    private static boolean onPath(String program) throws Exception {
        return new ProcessBuilder("sh", "-c", "command -v " + program).start().waitFor() == 0;
    }

    private static List<String> sh(String command) throws Exception {
        Process process = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).redirectErrorStream(false).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        return new String(out, StandardCharsets.UTF_8).lines().toList();
    }
}
