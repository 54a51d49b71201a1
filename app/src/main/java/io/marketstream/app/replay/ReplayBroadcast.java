package io.marketstream.app.replay;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.RedisKeys;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.ReplayNotice;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.streams.MarketDataSink;
import io.marketstream.streams.MarketUpdate;

/**
 * Replay mode (b): shows historical market data on a session's replay channels, which WebSocket clients
 * subscribe to through any edge ({@code replay.<session>.<channel>}, see docs/protocol.md), paced by the
 * events' {@code ts} at a chosen speed.
 *
 * <p>The messages are what the streams job computes from the events, with the job's own fold: each chosen
 * market's partition is folded from its first event, silently up to the range's start (so the show begins
 * from the true state), then every book delta, trade, candle and ticker state is published as computed,
 * nothing merged, with {@code ch} set to the replay channel. At the start, {@code replay.<session>} carries a
 * {@code start} notice, then each market's book channel a snapshot and its ticker and candle channels their
 * current state; at the end, {@code replay.<session>} carries an {@code end} notice. Messages go straight
 * to Redis pub/sub: nothing is stored, so there is no history to resume from.
 */
public final class ReplayBroadcast {
    /** After the first subscriber shows up: time for the rest of its channels' subscriptions to reach Redis. */
    static final Duration SETTLE = Duration.ofMillis(500);

    private final MarketCatalog catalog;
    private final String bootstrap;
    private final RedisClient redis;
    private final String session;
    private final List<String> markets;
    private final ReplaySpeed speed;

    public ReplayBroadcast(MarketCatalog catalog, String bootstrap, RedisClient redis, String session, List<String> markets,
                           ReplaySpeed speed) {
        this.catalog = catalog;
        this.bootstrap = bootstrap;
        this.redis = redis;
        this.session = session;
        this.markets = List.copyOf(markets);
        this.speed = speed;
        Channels.replayControl(session); // validates the name
    }

    /** What a show did: events read, events of the chosen markets shown, messages published, how long it took. */
    public record Summary(long eventsRead, long eventsShown, long messages, Duration wall) {
    }

    /** Per chosen market: what a subscriber arriving at the start needs (kept from the silent part). */
    private static final class MarketState {
        final L2Book book;
        long bookSeq;
        long bookTs;
        TickerMessage ticker;
        final Map<KlineInterval, KlineMessage> candles = new EnumMap<>(KlineInterval.class);

        MarketState(L2Book book) {
            this.book = book;
        }
    }

    /** Every channel of the session, for counting subscribers. */
    public List<String> channels() {
        List<String> out = new ArrayList<>();
        out.add(Channels.replayControl(session));
        for (String market : markets) {
            out.add(Channels.replay(session, Channels.book(market)));
            out.add(Channels.replay(session, Channels.trades(market)));
            out.add(Channels.replay(session, Channels.ticker(market)));
            for (KlineInterval interval : KlineInterval.values()) {
                out.add(Channels.replay(session, Channels.kline(market, interval)));
            }
        }
        return out;
    }

    /**
     * @param from              null: from the beginning of the topic
     * @param to                null: to its end now
     * @param waitForSubscriber how long to wait, before the start notice, for a first subscriber to any of the
     *                          session's channels (zero: do not wait)
     */
    public Summary run(Instant from, Instant to, Duration waitForSubscriber, boolean progress, PrintWriter out,
                       PrintWriter err) {
        Map<String, MarketState> states = new LinkedHashMap<>();
        markets.forEach(m -> states.put(m, new MarketState(new L2Book(catalog.get(m)))));
        List<MarketUpdate> pending = new ArrayList<>();
        MarketDataSink collect = new MarketDataSink() {
            @Override
            public void publish(MarketUpdate update) {
                if (states.containsKey(update.market())) {
                    pending.add(update);
                }
            }

            @Override
            public void account(AccountMessage message) {
                // private channels are never replayed
            }
        };
        long started = System.nanoTime();
        try (StatefulRedisConnection<String, String> connection = redis.connect();
             EventRange range = EventRange.open(bootstrap, markets, from, to, true)) {
            Publisher publisher = new Publisher(connection);
            PartitionFolds folds = new PartitionFolds(catalog, collect, Set.copyOf(markets), range.partitionCount());
            long[] counts = new long[2]; // read, shown
            boolean[] showing = {false};
            long[] pace = {Long.MIN_VALUE, 0}; // first shown ts, its wall nanos
            out.printf("Replay session %s: %s at %s on replay.%s.<channel>; %,d events to read%n", session, markets,
                    speed.label(), session, range.records());
            out.flush();
            try (Progress bar = Progress.start("replay " + session, range.records(), progress, err)) {
                range.read((record, inRange) -> {
                    counts[0]++;
                    bar.step();
                    EngineEvent event = folds.decode(record);
                    if (event == null) {
                        return true;
                    }
                    if (inRange && !showing[0]) {
                        bar.note("waiting for a subscriber");
                        awaitSubscriber(connection, waitForSubscriber, err);
                        bar.note("");
                        start(publisher, states, from, to);
                        showing[0] = true;
                        pace[0] = event.ts();
                        pace[1] = System.nanoTime();
                    }
                    if (showing[0]) {
                        long due = pace[1] + speed.wallNanos(Math.max(0, event.ts() - pace[0]));
                        if (due - System.nanoTime() > 0) {
                            publisher.await();
                            sleepUntil(due);
                        }
                    }
                    folds.fold(record.partition(), event);
                    for (MarketUpdate update : pending) {
                        MarketState state = states.get(update.market());
                        remember(state, update);
                        if (showing[0]) {
                            show(publisher, update);
                        }
                    }
                    if (showing[0] && states.containsKey(event.market())) {
                        counts[1]++;
                    }
                    pending.clear();
                    return true;
                });
            }
            if (!showing[0]) {
                awaitSubscriber(connection, waitForSubscriber, err);
                start(publisher, states, from, to);
            }
            publisher.publish(Channels.replayControl(session), ReplayNotice.end(Channels.replayControl(session), session,
                    counts[1], System.currentTimeMillis()));
            publisher.await();
            return new Summary(counts[0], counts[1], publisher.sent, Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private void remember(MarketState state, MarketUpdate update) {
        if (update.delta() != null) {
            state.book.apply(update.delta().bids(), update.delta().asks());
            state.bookSeq = update.delta().lastSeq();
            state.bookTs = update.delta().ts();
        }
        if (update.ticker() != null) {
            state.ticker = update.ticker();
        }
        for (KlineMessage k : update.klines()) {
            state.candles.put(k.interval(), k);
        }
    }

    /** The start notice, then each market's book snapshot and current ticker and candles. */
    private void start(Publisher publisher, Map<String, MarketState> states, Instant from, Instant to) {
        publisher.publish(Channels.replayControl(session), ReplayNotice.start(Channels.replayControl(session), session,
                speed.label(), markets, from == null ? null : from.toEpochMilli(), to == null ? null : to.toEpochMilli(),
                System.currentTimeMillis()));
        states.forEach((market, state) -> {
            BookMessage snapshot = new BookMessage(Channels.book(market), BookMessage.SNAPSHOT, state.bookSeq, state.bookSeq,
                    state.book.levels(Side.BUY, Integer.MAX_VALUE), state.book.levels(Side.SELL, Integer.MAX_VALUE),
                    state.book.checksum(), state.bookTs);
            publisher.publish(snapshot.channel(), snapshot);
            if (state.ticker != null) {
                publisher.publish(state.ticker.channel(), state.ticker);
            }
            state.candles.values().forEach(k -> publisher.publish(k.channel(), k));
        });
    }

    /** An update's messages, in the order the live sink writes them. */
    private void show(Publisher publisher, MarketUpdate update) {
        if (update.delta() != null) {
            publisher.publish(update.delta().channel(), update.delta());
        }
        if (update.trade() != null) {
            publisher.publish(update.trade().channel(), update.trade());
        }
        update.klines().forEach(k -> publisher.publish(k.channel(), k));
        if (update.ticker() != null) {
            publisher.publish(update.ticker().channel(), update.ticker());
        }
    }

    private void awaitSubscriber(StatefulRedisConnection<String, String> connection, Duration wait, PrintWriter err) {
        if (wait.isZero() || wait.isNegative()) {
            return;
        }
        String[] pubsub = channels().stream().map(RedisKeys::pubsub).toArray(String[]::new);
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Long> counts = connection.sync().pubsubNumsub(pubsub);
            if (counts.values().stream().anyMatch(n -> n > 0)) {
                // a client subscribes to several channels at once and the edge subscribes each in Redis
                // in turn: give the others a moment
                LockSupport.parkNanos(SETTLE.toNanos());
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        err.printf("No subscriber to replay.%s.* within %d s; starting anyway%n", session, wait.toSeconds());
        err.flush();
    }

    private static void sleepUntil(long dueNanos) {
        long left;
        while ((left = dueNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.currentThread().isInterrupted()) {
                throw new ReplayException("interrupted");
            }
        }
    }

    /** Publishes on replay channels, pipelined: at most {@value #IN_FLIGHT} unanswered, order kept (one connection). */
    private final class Publisher {
        static final int IN_FLIGHT = 1_000;
        private final StatefulRedisConnection<String, String> connection;
        private final List<RedisFuture<Long>> inFlight = new ArrayList<>();
        private final Map<String, String> pubsubNames = new HashMap<>();
        long sent;

        Publisher(StatefulRedisConnection<String, String> connection) {
            this.connection = connection;
        }

        /** @param channel the live channel the message belongs to; it goes out on the session's replay channel */
        void publish(String channel, Object message) {
            String replay = channel.startsWith(Channels.REPLAY + ".") ? channel : Channels.replay(session, channel);
            ObjectNode node = Json.mapper().valueToTree(message);
            node.put("ch", replay);
            String name = pubsubNames.computeIfAbsent(replay, RedisKeys::pubsub);
            inFlight.add(connection.async().publish(name, node.toString()));
            sent++;
            if (inFlight.size() >= IN_FLIGHT) {
                await();
            }
        }

        void await() {
            if (!inFlight.isEmpty()) {
                if (!LettuceFutures.awaitAll(Duration.ofSeconds(30), inFlight.toArray(RedisFuture[]::new))) {
                    throw new ReplayException("Redis did not take the replay's messages within 30 s");
                }
                inFlight.clear();
            }
        }
    }
}
