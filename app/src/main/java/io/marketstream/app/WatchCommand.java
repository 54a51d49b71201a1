package io.marketstream.app;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.marketstream.client.EdgeError;
import io.marketstream.client.MarketDataClient;
import io.marketstream.client.MarketDataListener;
import io.marketstream.client.OrderBookView;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * {@code watch BTC-USD}: the client library's example. Keeps a verified book of one market from an edge
 * (reconnecting and resuming, moving to the next URL on a drop) and shows its top levels, the spread, the
 * ticker and the last trades, redrawn in place on a terminal and as plain blocks otherwise.
 */
@Command(name = "watch", description = "Watch a market live from an edge: top of book, spread and last trades.")
final class WatchCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final String CLEAR = "\033[H\033[2J";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MARKET", description = "The market, e.g. BTC-USD.")
    String market;

    @Option(names = {"-u", "--url"}, split = ",", paramLabel = "URL", defaultValue = "${env:MARKETSTREAM_EDGE_URL:-ws://localhost:8080/ws}",
            description = "Edge WebSocket URL(s), comma-separated: the first is used, the next after each drop "
                    + "(env MARKETSTREAM_EDGE_URL; default ${DEFAULT-VALUE}).")
    List<URI> urls;

    @Option(names = "--markets", paramLabel = "FILE", defaultValue = "${env:MARKETSTREAM_MARKETS}",
            description = "Markets file (env MARKETSTREAM_MARKETS); by default the list is read from the edge's "
                    + "/api/v1/markets.")
    java.nio.file.Path marketsFile;

    @Option(names = "--levels", defaultValue = "5", description = "Book levels shown per side (default ${DEFAULT-VALUE}).")
    int levels;

    @Option(names = "--trades", defaultValue = "10", description = "Last trades shown (default ${DEFAULT-VALUE}).")
    int tradesShown;

    @Option(names = "--refresh", defaultValue = "250ms", converter = DurationConverter.class,
            description = "Redraw period, e.g. 250ms, 1s (default ${DEFAULT-VALUE}).")
    Duration refresh;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "Stop after this long, e.g. 30s, 5m (default: until Ctrl-C).")
    Duration duration;

    @Option(names = "--plain", description = "Print plain blocks instead of redrawing the screen (the default when "
            + "stdout is not a terminal).")
    boolean plain;

    /** Where frames go; tests replace it. */
    PrintStream out = System.out;

    /** What the listener gathered for the next frame. */
    private final Deque<TradeMessage> lastTrades = new ArrayDeque<>();
    private final AtomicReference<TickerMessage> ticker = new AtomicReference<>();
    private final AtomicReference<String> notice = new AtomicReference<>("");

    @Override
    public Integer call() throws Exception {
        if (levels < 1 || levels > 100 || tradesShown < 0 || tradesShown > 100) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--levels must be 1..100 and --trades 0..100");
        }
        if (refresh.toMillis() < 10) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--refresh must be at least 10ms");
        }
        for (URI url : urls) {
            if (url.getHost() == null || !("ws".equals(url.getScheme()) || "wss".equals(url.getScheme()))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--url " + url
                        + " is not a WebSocket URL; expected ws://host:port/ws");
            }
        }
        MarketCatalog catalog = catalog();
        MarketSpec marketSpec = catalog.find(market).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                "unknown market '" + market + "'; markets are " + catalog.all().stream().map(MarketSpec::symbol).toList()));

        MarketDataClient client;
        try {
            client = MarketDataClient.builder(catalog).endpoints(urls).listener(new Listener()).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        client.subscribeBook(marketSpec.symbol()).subscribeTrades(marketSpec.symbol()).subscribeTicker(marketSpec.symbol());

        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "watch-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ansi = !plain && System.console() != null && out == System.out;
        // the frame shows the connection's state; the client's own INFO lines would only scroll the screen
        Runnable restoreLogging = quietClientLog();
        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        try {
            client.start();
            while (System.nanoTime() < deadline) {
                long wait = Math.min(refresh.toNanos(), deadline - System.nanoTime());
                if (wait > 0 && stop.await(wait, TimeUnit.NANOSECONDS)) {
                    break;
                }
                out.print((ansi ? CLEAR : "") + frame(client, marketSpec) + (ansi ? "" : System.lineSeparator()));
                out.flush();
            }
        } finally {
            client.close();
            restoreLogging.run();
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for this
            }
        }
        return 0;
    }

    /** Raises the client library's log level to WARN (with Logback); returns how to put it back. */
    private static Runnable quietClientLog() {
        if (!(org.slf4j.LoggerFactory.getLogger("io.marketstream.client") instanceof ch.qos.logback.classic.Logger logger)) {
            return () -> { };
        }
        ch.qos.logback.classic.Level before = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.WARN);
        return () -> logger.setLevel(before);
    }

    /** The market list: the file if given, else the edge's {@code /api/v1/markets} (the first URL that answers). */
    private MarketCatalog catalog() {
        if (marketsFile != null) {
            try {
                return MarketCatalog.load(marketsFile);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<String> failures = new ArrayList<>();
        for (URI ws : urls) {
            URI rest = restUri(ws);
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(rest).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    failures.add(rest + " answered " + response.statusCode());
                    continue;
                }
                return new MarketCatalog(List.of(Json.read(response.body(), MarketSpec[].class)));
            } catch (java.io.IOException | IllegalArgumentException e) {
                failures.add(rest + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandLine.ExecutionException(spec.commandLine(), "interrupted", e);
            }
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "cannot read the market list from the edge ("
                + String.join("; ", failures) + "); is the edge running? Or give --markets FILE");
    }

    /** {@code ws://host:port/ws} to {@code http://host:port/api/v1/markets} ({@code wss} to {@code https}). */
    static URI restUri(URI ws) {
        if (ws.getScheme() == null || ws.getHost() == null || !(ws.getScheme().equals("ws") || ws.getScheme().equals("wss"))) {
            throw new IllegalArgumentException("not a ws:// or wss:// URL: " + ws);
        }
        String scheme = ws.getScheme().equals("wss") ? "https" : "http";
        return URI.create(scheme + "://" + ws.getHost() + (ws.getPort() < 0 ? "" : ":" + ws.getPort()) + "/api/v1/markets");
    }

    /** One screen: status, book, spread, ticker, trades. */
    String frame(MarketDataClient client, MarketSpec m) {
        OrderBookView book = client.book(m.symbol(), levels);
        StringBuilder sb = new StringBuilder(1024);
        String nl = System.lineSeparator();
        URI at = client.endpoint();
        sb.append(String.format(Locale.ROOT, "%s  %s  seq %d  verified %d  resyncs %d  reconnects %d  gaps %d%n",
                m.symbol(), at == null ? "(connecting…)" : at, book.sequence(), client.verifiedMessages(), client.resyncs(),
                client.reconnects(), client.gaps()));
        if (!notice.get().isEmpty()) {
            sb.append(notice.get()).append(nl);
        }
        if (!book.isVerified()) {
            sb.append("waiting for the book…").append(nl);
        } else {
            sb.append(String.format(Locale.ROOT, "%14s %14s | %-14s %-14s%n", "bid qty", "bid", "ask", "ask qty"));
            for (int i = 0; i < levels; i++) {
                OrderBookView.Level bid = i < book.bids().size() ? book.bids().get(i) : null;
                OrderBookView.Level ask = i < book.asks().size() ? book.asks().get(i) : null;
                sb.append(String.format(Locale.ROOT, "%14s %14s | %-14s %-14s%n",
                        bid == null ? "" : m.formatQty(bid.qty()), bid == null ? "" : m.formatPrice(bid.price()),
                        ask == null ? "" : m.formatPrice(ask.price()), ask == null ? "" : m.formatQty(ask.qty())));
            }
            if (book.spread().isPresent()) {
                long bid = book.bestBid().orElseThrow().price();
                long spread = book.spread().getAsLong();
                sb.append(String.format(Locale.ROOT, "spread %s (%.2f bps)%n", m.formatPrice(spread),
                        bid == 0 ? 0.0 : spread * 10_000.0 / bid));
            } else {
                sb.append("spread -").append(nl);
            }
        }
        TickerMessage t = ticker.get();
        if (t != null) {
            sb.append(String.format(Locale.ROOT, "24h  last %s  change %s (%s%%)  high %s  low %s  volume %s%n",
                    dash(t.last()), dash(t.change()), dash(t.changePercent()), dash(t.high()), dash(t.low()), dash(t.baseVolume())));
        }
        sb.append("last trades:").append(nl);
        synchronized (lastTrades) {
            for (TradeMessage trade : lastTrades) {
                sb.append(String.format(Locale.ROOT, "  %s  %-4s %12s @ %s%n", TIME.format(Instant.ofEpochMilli(trade.ts())),
                        trade.takerSide(), trade.qty(), trade.price()));
            }
        }
        return sb.toString();
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }

    /** Gathers what the frames show; called on the client's thread, so it only stores. */
    private final class Listener implements MarketDataListener {
        @Override
        public void onTrade(TradeMessage trade) {
            synchronized (lastTrades) {
                lastTrades.addFirst(trade);
                while (lastTrades.size() > tradesShown) {
                    lastTrades.removeLast();
                }
            }
        }

        @Override
        public void onTicker(TickerMessage t) {
            ticker.set(t);
        }

        @Override
        public void onResync(String m, String reason) {
            notice.set("resync: " + reason);
        }

        @Override
        public void onError(EdgeError error) {
            notice.set("edge error " + error);
        }

        @Override
        public void onConnected(URI endpoint, boolean resumed) {
            notice.set(resumed ? "reconnected to " + endpoint + ", resumed" : "");
        }

        @Override
        public void onDisconnected(URI endpoint, int code, String reason) {
            notice.set("disconnected from " + endpoint + " (" + code + " " + reason + "); reconnecting…");
        }
    }

    /** {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT5S}); positive. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Matcher matcher = SHORT.matcher(value.trim());
            Duration d;
            if (matcher.matches()) {
                long n = Long.parseLong(matcher.group(1));
                d = switch (matcher.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            } else {
                try {
                    d = Duration.parse(value.trim());
                } catch (java.time.format.DateTimeParseException e) {
                    throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: use e.g. 250ms, 5s, 2m, 1h");
                }
            }
            if (d.isZero() || d.isNegative()) {
                throw new CommandLine.TypeConversionException("'" + value + "' must be a positive duration");
            }
            return d;
        }
    }
}
