package io.marketstream.app;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

import io.lettuce.core.RedisClient;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.marketstream.app.replay.JsonLinesExport;
import io.marketstream.app.replay.RebuildCheck;
import io.marketstream.app.replay.ReplayBroadcast;
import io.marketstream.app.replay.ReplayException;
import io.marketstream.app.replay.ReplaySpeed;
import io.marketstream.app.replay.StateComparison;
import io.marketstream.app.replay.TimeArg;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.redis.RedisClients;

/**
 * {@code replay}: reads the engine-event topic between two times for some markets and (a) rebuilds their
 * market data beside the live data and compares the two, (b) shows it on replay channels at a chosen speed,
 * or (c) writes the events as JSON lines. docs/replay-and-analytics.md has the details.
 */
@Command(name = "replay", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Replays engine events of some markets between two times: rebuilds and compares them with the live "
                + "state, shows them on replay channels, or writes them as JSON lines.",
                "  --compare  rebuild books, trades, candles and tickers into Redis under replay:<session>: with the "
                        + "streams job's own code, up to the live state's sequences, and report whether they equal the live ones",
                "  --publish  show them on the WebSocket channels replay.<session>.<channel> at --speed",
                "  --jsonl    write the events, one JSON line each, exactly as on the topic",
                "Exit codes: 0 done (--compare: all equal), 1 error, 2 bad arguments, 3 --compare found a difference, "
                        + "4 --compare could not compare everything at the same sequence."})
final class ReplayCommand implements Callable<Integer> {
    static final int DIFFERENT = 3;
    static final int NOT_COMPARABLE = 4;

    @Spec
    CommandSpec spec;

    @CommandLine.Mixin
    Main.MarketOptions markets = new Main.MarketOptions();

    @CommandLine.Mixin
    Main.KafkaOptions kafka = new Main.KafkaOptions();

    @CommandLine.Mixin
    Main.RedisOptions redis = new Main.RedisOptions();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    static final class Mode {
        @Option(names = "--compare", required = true,
                description = "Rebuild into replay:<session>: and compare with the live state at the same sequence.")
        boolean compare;

        @Option(names = "--publish", required = true,
                description = "Publish on replay.<session>.<channel> for WebSocket clients, paced by --speed.")
        boolean publish;

        @Option(names = "--jsonl", paramLabel = "FILE", required = true,
                description = "Write the events as JSON lines to FILE ('-' for standard output).")
        String jsonl;
    }

    @Option(names = "--market", split = ",", paramLabel = "MARKET",
            description = "Markets to replay, comma-separated or repeated (default: every market of --markets).")
    List<String> marketNames;

    @Option(names = "--from", paramLabel = "TIME",
            description = "Start: an ISO-8601 instant, epoch ms, now, or -<n><s|m|h|d> such as -1h (default: the topic's "
                    + "beginning). Not with --compare, which always folds from the beginning.")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "End, exclusive, same forms (default: the topic's end now).")
    String to;

    @Option(names = "--session", paramLabel = "NAME",
            description = "The replay's name: its Redis namespace and channels (1 to 32 of a-z 0-9 _ -; default: a new one).")
    String session;

    @Option(names = "--speed", defaultValue = "1x", paramLabel = "SPEED",
            description = "--publish only: 1x, 10x (any <n>x) or max (default ${DEFAULT-VALUE}).")
    String speed;

    @Option(names = "--wait-for-subscriber", defaultValue = "0", paramLabel = "SECONDS",
            description = "--publish only: wait up to this long for a first subscriber before starting (default ${DEFAULT-VALUE}).")
    long waitSeconds;

    @Option(names = "--keep", description = "--compare only: keep the rebuilt keys in Redis afterwards (default: delete them).")
    boolean keep;

    @Option(names = "--no-progress", description = "No progress bar or progress lines on standard error.")
    boolean noProgress;

    @Override
    public Integer call() {
        MarketCatalog catalog = markets.catalog();
        List<String> chosen = chosenMarkets(catalog);
        Instant now = Instant.now();
        Instant start = time("--from", from, now);
        Instant end = time("--to", to, now);
        if (start != null && end != null && !start.isBefore(end)) {
            throw usage("--from (" + start + ") must be before --to (" + end + ")");
        }
        if (!mode.publish && (spec.commandLine().getParseResult().hasMatchedOption("--speed")
                || spec.commandLine().getParseResult().hasMatchedOption("--wait-for-subscriber"))) {
            throw usage("--speed and --wait-for-subscriber apply to --publish only");
        }
        if (keep && !mode.compare) {
            throw usage("--keep applies to --compare only");
        }
        if (session != null && !Channels.isReplaySession(session)) {
            throw usage("--session '" + session + "' is not a session name: 1 to 32 of a-z 0-9 _ -, starting with a letter or digit");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (mode.jsonl != null) {
                return jsonLines(chosen, start, end, err);
            }
            if (mode.compare) {
                if (start != null) {
                    throw usage("--from does not apply to --compare: a book can only be rebuilt from the market's first event");
                }
                return compare(catalog, chosen, end, out, err);
            }
            return publish(catalog, chosen, start, end, out, err);
        } catch (ReplayException | IllegalStateException | IllegalArgumentException | KafkaException | UncheckedIOException e) {
            err.println("replay: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private int compare(MarketCatalog catalog, List<String> chosen, Instant end, PrintWriter out, PrintWriter err) {
        String name = session != null ? session : "check-" + Long.toString(System.currentTimeMillis(), 36);
        RedisClient client = RedisClients.create(redis.redis);
        try {
            RebuildCheck check = new RebuildCheck(catalog, kafka.bootstrap, client, name);
            RebuildCheck.Result result = check.run(chosen, end, keep, !noProgress, out, err);
            result.markets().forEach(m -> StateComparison.render(m, out));
            StateComparison.Verdict verdict = result.verdict();
            out.printf("Result: %s (%,d events read%s)%n", verdict == StateComparison.Verdict.EQUAL ? "EQUAL"
                    : verdict == StateComparison.Verdict.DIFFERENT ? "DIFFERENT" : "NOT AT THE SAME SEQUENCE",
                    result.eventsRead(), keep ? "; rebuilt keys kept under " + check.namespace() + "*" : "");
            out.flush();
            return verdict == StateComparison.Verdict.EQUAL ? 0 : verdict == StateComparison.Verdict.DIFFERENT ? DIFFERENT
                    : NOT_COMPARABLE;
        } finally {
            client.shutdown();
        }
    }

    private int publish(MarketCatalog catalog, List<String> chosen, Instant start, Instant end, PrintWriter out,
                        PrintWriter err) {
        ReplaySpeed pace;
        try {
            pace = ReplaySpeed.parse(speed);
        } catch (IllegalArgumentException e) {
            throw usage("--speed: " + e.getMessage());
        }
        if (waitSeconds < 0) {
            throw usage("--wait-for-subscriber must not be negative");
        }
        String name = session != null ? session : "r" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        RedisClient client = RedisClients.create(redis.redis);
        try {
            ReplayBroadcast broadcast = new ReplayBroadcast(catalog, kafka.bootstrap, client, name, chosen, pace);
            ReplayBroadcast.Summary summary = broadcast.run(start, end, Duration.ofSeconds(waitSeconds), !noProgress, out, err);
            out.printf("Replay %s done: %,d events shown (%,d read), %,d messages published in %.1f s%n", name,
                    summary.eventsShown(), summary.eventsRead(), summary.messages(), summary.wall().toMillis() / 1000.0);
            out.flush();
            return 0;
        } finally {
            client.shutdown();
        }
    }

    private int jsonLines(List<String> chosen, Instant start, Instant end, PrintWriter err) {
        JsonLinesExport export = new JsonLinesExport(kafka.bootstrap, chosen);
        boolean stdout = mode.jsonl.equals("-");
        JsonLinesExport.Summary summary;
        try (OutputStream target = stdout ? new NonClosing(System.out)
                : new BufferedOutputStream(Files.newOutputStream(Path.of(mode.jsonl)), 1 << 16)) {
            summary = export.write(start, end, target, !noProgress, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + mode.jsonl + ": " + e.getMessage(), e);
        }
        err.printf("Wrote %,d events to %s%s%n", summary.lines(), stdout ? "standard output" : mode.jsonl,
                summary.leftOut() == 0 ? "" : "; left out " + summary.leftOut() + " records that were not JSON");
        err.flush();
        return 0;
    }

    private List<String> chosenMarkets(MarketCatalog catalog) {
        if (marketNames == null || marketNames.isEmpty()) {
            return catalog.all().stream().map(MarketSpec::symbol).toList();
        }
        List<String> out = new ArrayList<>();
        for (String name : marketNames) {
            String trimmed = name.trim();
            if (catalog.find(trimmed).isEmpty()) {
                throw usage("--market: no market '" + trimmed + "'; markets are "
                        + catalog.all().stream().map(MarketSpec::symbol).toList());
            }
            if (!out.contains(trimmed)) {
                out.add(trimmed);
            }
        }
        return out;
    }

    private Instant time(String option, String text, Instant now) {
        if (text == null) {
            return null;
        }
        try {
            return TimeArg.parse(text, now);
        } catch (IllegalArgumentException e) {
            throw usage(option + ": " + e.getMessage());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Standard output for the events, left open for the rest of the process. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
