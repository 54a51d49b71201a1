package io.marketstream.streams;

import java.time.Duration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.BalanceChanged;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderReduced;
import io.marketstream.protocol.event.OrderRejected;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * Folds one task's (one partition's) engine events into every public and private stream: L2 book
 * deltas, trades, candles, the rolling ticker, and each account's order and balance updates.
 *
 * <p>Order and replays: an event whose {@code seq} is not newer than the market's last folded
 * {@code seq} is a replay and is skipped. The fold never goes past a gap or a malformed event (the
 * market waits rather than show a wrong book). A book delta covers every event since the previous
 * delta ({@code U} = previous {@code u} + 1), including events that left the book unchanged.
 *
 * <p>Time: the partition's event time, the largest {@code ts} folded so far (stored, so a restarted
 * task continues with it). Every event moves all of the task's markets to it, so a market without
 * trades still closes its candles as long as its partition has events; everything is a pure function
 * of the partition's events, and re-processing after a failure reproduces the same messages.
 *
 * <p>State: books in buckets of {@value #BUCKET_TICKS} ticks per side in
 * {@link MarketDataTopology#BOOK_STORE}, positions and sequences in
 * {@link MarketDataTopology#POSITIONS_STORE}, open candles in {@link MarketDataTopology#KLINES_STORE},
 * the ticker's closed minutes in {@link MarketDataTopology#MINUTES_STORE}; all held in memory and
 * rebuilt from the stores when the task starts (after a restart or a move to another instance).
 *
 * <p>Written behind: the book buckets, positions and candles an event changes are only noted;
 * {@link #writeState} writes each of them once, at the start of every commit (the
 * {@link CommitHookStore} calls it), into stores without a cache, so their changelog records join that
 * commit's transaction with the input offsets: after a crash the stores are exactly as of the last
 * commit, as with Kafka Streams' own store cache, which did the same merging at many times the cost per
 * write. A commit thereby writes one record per bucket changed (tens per market) instead of one per
 * price level changed (thousands at a few thousand events per second), and a candle is encoded once per
 * commit instead of once per trade.
 *
 * <p>Written ahead too: the one-second wall-clock punctuation also calls {@link #writeState}, so each
 * changed key is written at most once a second (tens of records a second, whatever the event rate), and
 * these records join the open transaction as well. What that buys is a short commit: by the time it
 * comes, the transaction already holds the changelog partitions (the broker verified each on its first
 * record) and most of the records are acknowledged, so the producer's flush at the commit waits for one
 * second's changes instead of fifteen seconds' plus a verification round trip per partition, while
 * events wait behind it (at 1,000 events/s the commit's flush went from 25 to 4 ms, see
 * docs/performance.md).
 */
final class MarketDataProcessor implements Processor<String, EngineEvent, Void, Void> {
    private static final Logger log = LoggerFactory.getLogger(MarketDataProcessor.class);
    private static final String CLOCK_KEY = "~clock";
    /** Price levels per book bucket (one store value), in ticks of the market. */
    static final int BUCKET_TICKS = 64;

    private final MarketCatalog catalog;
    private final MarketDataSink sink;
    private final Map<String, L2Book> books = new HashMap<>();
    private final Map<String, MarketKlines> klines = new LinkedHashMap<>();
    private final Map<String, TickerWindow> tickers = new HashMap<>();
    /** Positions read so far, written behind (the store is the truth after a restart). */
    private final Map<String, Positions> positionCache = new HashMap<>();
    /** The level-per-key store of earlier versions: read once, carried over into buckets, emptied. */
    private KeyValueStore<String, Long> legacyLevels;
    private KeyValueStore<String, String> bookStore;
    private KeyValueStore<String, Long> positionStore;
    private KeyValueStore<String, String> klineStore;
    private KeyValueStore<String, String> minuteStore;
    private ProcessorContext<Void, Void> context;
    private Sensor skippedSensor;
    private long clock;
    private boolean clockChanged;
    private long skippedEvents;
    /** Book buckets changed since the last {@link #writeState}. */
    private final Set<Bucket> changedBuckets = new LinkedHashSet<>();
    /** Markets whose candles changed since the last {@link #writeState}. */
    private final Set<String> changedKlines = new LinkedHashSet<>();
    /** Keys of {@link #legacyLevels} carried over and still to delete. */
    private final List<String> legacyKeys = new ArrayList<>();
    private CommitHookStore commitHook;
    /**
     * Whether a record or punctuation has run since {@link #restore}: a store write needs its context (the
     * changelog record takes its timestamp), which a task closed before it processed anything has not.
     */
    private boolean processed;
    private final Runnable writeState = this::writeState;

    MarketDataProcessor(MarketCatalog catalog, MarketDataSink sink) {
        this.catalog = catalog;
        this.sink = sink;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        commitHook = context.getStateStore(MarketDataTopology.COMMIT_HOOK_STORE);
        commitHook.beforeCommit(writeState);
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> {
            processed = true;
            sink.maintain();
            // written ahead of the commit, so that the commit's own flush has only the last second's changes
            // to wait for, in partitions already added to the transaction (see the class comment)
            writeState();
        });
        try {
            skippedSensor = context.metrics().addRateTotalSensor("marketstream", "task-" + context.taskId(),
                    MarketDataTopology.SKIPPED_EVENTS_METRIC, Sensor.RecordingLevel.INFO);
        } catch (RuntimeException e) {
            log.warn("Could not register the skipped-events metric", e);
        }
        restore(context.getStateStore(MarketDataTopology.LEVELS_STORE),
                context.getStateStore(MarketDataTopology.BOOK_STORE),
                context.getStateStore(MarketDataTopology.POSITIONS_STORE),
                context.getStateStore(MarketDataTopology.KLINES_STORE),
                context.getStateStore(MarketDataTopology.MINUTES_STORE));
    }

    /**
     * Takes the stores and rebuilds everything held in memory from them alone: {@link #init} does it in
     * Kafka Streams, and {@link MarketDataFold} with stores of its own outside it (no context then: no
     * punctuation, no metric).
     */
    void restore(KeyValueStore<String, Long> legacyLevels, KeyValueStore<String, String> bookStore,
                 KeyValueStore<String, Long> positionStore, KeyValueStore<String, String> klineStore,
                 KeyValueStore<String, String> minuteStore) {
        this.legacyLevels = legacyLevels;
        this.bookStore = bookStore;
        this.positionStore = positionStore;
        this.klineStore = klineStore;
        this.minuteStore = minuteStore;
        // Kafka Streams may re-init this instance after rolling its stores back (exactly-once abort):
        // everything must come from the stores alone.
        books.clear();
        positionCache.clear();
        klines.clear();
        tickers.clear();
        changedBuckets.clear();
        changedKlines.clear();
        legacyKeys.clear();
        clockChanged = false;
        processed = false;
        try (KeyValueIterator<String, String> all = bookStore.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> entry = all.next();
                String[] parts = entry.key.split("\\|");
                catalog.find(parts[0]).ifPresent(spec -> decodeBucket(book(spec), side(parts[1]), entry.value));
            }
        }
        // a store written by an earlier version, level by level: carried over into buckets at the next
        // commit, in the same transaction as its deletion
        try (KeyValueIterator<String, Long> all = legacyLevels.all()) {
            while (all.hasNext()) {
                KeyValue<String, Long> entry = all.next();
                legacyKeys.add(entry.key);
                String[] parts = entry.key.split("\\|");
                catalog.find(parts[0]).ifPresent(spec -> {
                    long price = Long.parseLong(parts[2]);
                    book(spec).set(side(parts[1]), price, entry.value);
                    changedBuckets.add(new Bucket(spec, side(parts[1]), bucketOf(spec, price)));
                });
            }
        }
        try (KeyValueIterator<String, String> all = klineStore.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> entry = all.next();
                catalog.find(entry.key).ifPresent(spec -> klines.put(spec.symbol(), MarketKlines.decode(spec, entry.value)));
            }
        }
        // keys are market|openTime with the time zero-padded, so each market's minutes come in order
        try (KeyValueIterator<String, String> all = minuteStore.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> entry = all.next();
                String market = entry.key.substring(0, entry.key.indexOf('|'));
                catalog.find(market).ifPresent(spec -> ticker(spec).add(Candle.decode(entry.value)));
            }
        }
        Long stored = positionStore.get(CLOCK_KEY);
        clock = stored == null ? Long.MIN_VALUE : stored;
    }

    @Override
    public void process(Record<String, EngineEvent> record) {
        processed = true;
        EngineEvent event = record.value();
        if (event == null) {
            skip("an empty event record (key " + record.key() + ")", null);
            return;
        }
        if (event.seq() == 0) {
            // outside every market sequence: only a rejection (of a command for an unknown market, or
            // in the wrong partition) may be, and it belongs to its account alone
            if (event instanceof OrderRejected) {
                routeToAccounts(event);
            } else {
                skip("an event with seq 0 that is not a rejection: " + event, null);
            }
            return;
        }
        MarketSpec spec = catalog.find(event.market()).orElse(null);
        if (spec == null) {
            skip("an event for unknown market " + event.market() + " (seq " + event.seq() + ")", null);
            return;
        }
        String market = spec.symbol();
        long folded = positions(market).seq;
        if (event.seq() <= folded) {
            return;
        }
        if (event.seq() != folded + 1) {
            // Never fold past a gap: the book would be wrong while every checksum still matched. The
            // market waits for the missing events (the engine re-sends them after a restart).
            skip(market + " event seq " + event.seq() + " that does not follow " + folded
                    + "; waiting for the missing events", null);
            return;
        }
        L2Book book = book(spec);
        Map.Entry<Long, Long> bidBefore = book.best(Side.BUY);
        Map.Entry<Long, Long> askBefore = book.best(Side.SELL);
        LevelChange changed;
        long tradePrice = 0;
        long tradeQty = 0;
        long tradeQuote = 0;
        try {
            if (event instanceof Trade trade) {
                // parse everything before changing anything
                tradePrice = spec.parsePrice(trade.price());
                tradeQty = spec.parseQty(trade.qty());
                // quoteQty is price × qty; derive it should a producer leave it out
                tradeQuote = trade.quoteQty() == null ? spec.notional(tradePrice, tradeQty) : spec.parseQuote(trade.quoteQty());
                Objects.requireNonNull(trade.takerSide(), "takerSide");
            }
            changed = fold(spec, book, event);
        } catch (RuntimeException e) {
            // A malformed or inconsistent event (each event changes at most one level, and nothing is
            // changed before its fields are validated). It is not folded, so the market waits here
            // rather than showing a wrong book.
            skip(market + " event " + event + " that cannot be folded; the market stops here", e);
            return;
        }
        Positions positions = positions(market);
        positions.seq(event.seq());

        Map<String, List<KlineMessage>> klineUpdates = new LinkedHashMap<>();
        Map<String, Boolean> minuteRolled = new HashMap<>();
        if (event.ts() > clock) {
            clock = event.ts();
            clockChanged = true;
            advanceAll(market, event.seq(), klineUpdates, minuteRolled);
        }

        BookMessage delta = null;
        if (changed != null) {
            List<PriceLevel> level = List.of(new PriceLevel(spec.formatPrice(changed.price()), spec.formatQty(changed.qty())));
            delta = new BookMessage(positions.bookChannel, BookMessage.DELTA, positions.pub + 1, event.seq(),
                    changed.side() == Side.BUY ? level : List.of(), changed.side() == Side.SELL ? level : List.of(),
                    book.checksum(), event.ts());
            positions.pub(event.seq());
        }

        TradeMessage tradeMessage = null;
        List<KlineMessage> ownKlines = klineUpdates.computeIfAbsent(market, m -> new ArrayList<>());
        if (event instanceof Trade trade) {
            tradeMessage = new TradeMessage(Channels.trades(market), trade.seq(), trade.tradeId(), trade.price(),
                    trade.qty(), trade.takerSide(), trade.ts());
            MarketKlines marketKlines = klines.computeIfAbsent(market, m -> new MarketKlines(spec));
            marketKlines.trade(clock, tradePrice, tradeQty, tradeQuote, trade.tradeId(), event.seq(), ownKlines);
        }
        if (!ownKlines.isEmpty()) {
            changedKlines.add(market);
        }
        boolean topChanged = !Objects.equals(bidBefore, book.best(Side.BUY))
                || !Objects.equals(askBefore, book.best(Side.SELL));
        TickerMessage ticker = null;
        if (tradeMessage != null || topChanged || minuteRolled.containsKey(market)) {
            ticker = ticker(spec, event.seq());
        }
        // other markets of this partition whose candles the new event time closed
        for (Map.Entry<String, List<KlineMessage>> other : klineUpdates.entrySet()) {
            if (!other.getKey().equals(market)) {
                MarketSpec otherSpec = catalog.get(other.getKey());
                TickerMessage otherTicker = minuteRolled.containsKey(other.getKey())
                        ? ticker(otherSpec, positions(other.getKey()).seq) : null;
                sink.publish(new MarketUpdate(other.getKey(), null, book(otherSpec), null, other.getValue(), otherTicker));
            }
        }
        MarketUpdate update = new MarketUpdate(market, delta, book, tradeMessage, ownKlines, ticker);
        if (!update.isEmpty()) {
            sink.publish(update);
        }
        routeToAccounts(event);
    }

    /** The one level an event changed, at its quantity after the event. */
    private record LevelChange(Side side, long price, long qty) {
    }

    /**
     * Applies the event's book change (an event changes at most one level) and returns it, or null if
     * the event leaves the book alone; throws, having changed nothing, if the event is malformed.
     */
    private LevelChange fold(MarketSpec spec, L2Book book, EngineEvent event) {
        if (event instanceof OrderRested rested) {
            return change(book, rested.side(), spec.parsePrice(rested.price()), spec.parseQty(rested.qty()));
        } else if (event instanceof OrderCancelled cancelled && cancelled.wasResting()) {
            return change(book, cancelled.side(), spec.parsePrice(cancelled.price()),
                    -spec.parseQty(cancelled.remainingQty()));
        } else if (event instanceof OrderReduced reduced) {
            return change(book, reduced.side(), spec.parsePrice(reduced.price()), -spec.parseQty(reduced.reducedBy()));
        } else if (event instanceof Trade trade) {
            return change(book, trade.takerSide().opposite(), spec.parsePrice(trade.price()),
                    -spec.parseQty(trade.qty()));
        }
        return null;
    }

    /** Moves every market of this task to the new event time, collecting candle updates. */
    private void advanceAll(String eventMarket, long eventSeq, Map<String, List<KlineMessage>> out,
                            Map<String, Boolean> minuteRolled) {
        for (Map.Entry<String, MarketKlines> entry : klines.entrySet()) {
            String market = entry.getKey();
            MarketKlines marketKlines = entry.getValue();
            long engineSeq = market.equals(eventMarket) ? eventSeq : positions(market).seq;
            List<KlineMessage> messages = new ArrayList<>();
            TickerWindow window = ticker(marketKlines.spec());
            boolean rolled = marketKlines.advance(clock, engineSeq, messages, minute -> {
                window.add(minute);
                minuteStore.put(minuteKey(market, minute.openTime), minute.encode());
            });
            if (rolled) {
                minuteRolled.put(market, true);
                for (long evicted : window.slide(marketKlines.currentMinute().openTime)) {
                    minuteStore.delete(minuteKey(market, evicted));
                }
            }
            if (!messages.isEmpty()) {
                out.put(market, messages);
                changedKlines.add(market);
            }
        }
    }

    private TickerMessage ticker(MarketSpec spec, long engineSeq) {
        String market = spec.symbol();
        Positions positions = positions(market);
        long seq = positions.ticker + 1;
        positions.ticker(seq);
        MarketKlines marketKlines = klines.get(market);
        L2Book book = book(spec);
        return ticker(spec).message(seq, engineSeq, clock, marketKlines == null ? null : marketKlines.currentMinute(),
                book.best(Side.BUY), book.best(Side.SELL));
    }

    private void routeToAccounts(EngineEvent event) {
        long[] accounts = event.accounts();
        for (int i = 0; i < accounts.length; i++) {
            String channel = event instanceof BalanceChanged ? Channels.balances(accounts[i]) : Channels.orders(accounts[i]);
            sink.account(new AccountMessage(0, channel, event.market(), event.seq(), event));
        }
    }

    private void skip(String what, Exception cause) {
        skippedEvents++;
        if (skippedSensor != null) {
            skippedSensor.record();
        }
        if (cause == null) {
            log.error("Skipping {} ({} skipped so far)", what, skippedEvents);
        } else {
            log.error("Skipping {} ({} skipped so far)", what, skippedEvents, cause);
        }
    }

    private static String minuteKey(String market, long openTime) {
        return market + "|" + String.format("%019d", openTime);
    }

    private LevelChange change(L2Book book, Side side, long price, long delta) {
        long now = book.add(side, price, delta);
        changedBuckets.add(new Bucket(book.spec(), side, bucketOf(book.spec(), price)));
        return new LevelChange(side, price, now);
    }

    /** One side's price levels from {@code index × width} (inclusive) to the next bucket's first price. */
    private record Bucket(MarketSpec spec, Side side, long index) {
        String key() {
            return spec.symbol() + (side == Side.BUY ? "|B|" : "|S|") + index;
        }
    }

    private static long bucketOf(MarketSpec spec, long price) {
        return Math.floorDiv(price, spec.tickSize() * BUCKET_TICKS);
    }

    private static Side side(String code) {
        return switch (code) {
            case "B" -> Side.BUY;
            case "S" -> Side.SELL;
            default -> throw new IllegalStateException("not a book side in a store key: " + code);
        };
    }

    /**
     * A bucket's levels, ascending by price, as {@code price:qty} pairs of scaled numbers separated by
     * commas; null if the bucket holds none.
     */
    private String encodeBucket(Bucket bucket) {
        L2Book book = books.get(bucket.spec().symbol());
        NavigableMap<Long, Long> side = book.view(bucket.side());
        NavigableMap<Long, Long> ascending = bucket.side() == Side.BUY ? side.descendingMap() : side;
        long width = bucket.spec().tickSize() * BUCKET_TICKS;
        NavigableMap<Long, Long> levels = ascending.subMap(bucket.index() * width, true,
                (bucket.index() + 1) * width, false);
        if (levels.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder(levels.size() * 20);
        for (Map.Entry<Long, Long> level : levels.entrySet()) {
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(level.getKey()).append(':').append(level.getValue());
        }
        return out.toString();
    }

    private static void decodeBucket(L2Book book, Side side, String value) {
        int start = 0;
        while (start < value.length()) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? value.length() : comma;
            int colon = value.indexOf(':', start);
            book.set(side, Long.parseLong(value, start, colon, 10), Long.parseLong(value, colon + 1, end, 10));
            start = end + 1;
        }
    }

    /**
     * Writes what changed since the last call into the stores: each changed book bucket, position and
     * candle once. Called at the start of every commit, once a second between them, and by tests; see the
     * class comment.
     */
    void writeState() {
        if (!processed) {
            // nothing changed since the stores were read, but a carried-over legacy store: it stays as it
            // is, consistent, until a commit after the first record or punctuation
            return;
        }
        for (Bucket bucket : changedBuckets) {
            String value = encodeBucket(bucket);
            if (value == null) {
                bookStore.delete(bucket.key());
            } else {
                bookStore.put(bucket.key(), value);
            }
        }
        changedBuckets.clear();
        for (String key : legacyKeys) {
            legacyLevels.delete(key);
        }
        legacyKeys.clear();
        for (Positions positions : positionCache.values()) {
            positions.write();
        }
        if (clockChanged) {
            positionStore.put(CLOCK_KEY, clock);
            clockChanged = false;
        }
        for (String market : changedKlines) {
            klineStore.put(market, klines.get(market).encode());
        }
        changedKlines.clear();
    }

    /**
     * A market's positions in {@link MarketDataTopology#POSITIONS_STORE} ({@code market|seq},
     * {@code market|pub}, {@code market|ticker}), read once, then kept in memory and written behind
     * ({@link #writeState}), with their keys built once.
     */
    private final class Positions {
        final String bookChannel;
        private final String seqKey;
        private final String pubKey;
        private final String tickerKey;
        long seq;
        long pub;
        long ticker;
        private boolean seqChanged;
        private boolean pubChanged;
        private boolean tickerChanged;

        Positions(String market) {
            bookChannel = Channels.book(market);
            seqKey = market + "|seq";
            pubKey = market + "|pub";
            tickerKey = market + "|ticker";
            seq = stored(seqKey);
            pub = stored(pubKey);
            ticker = stored(tickerKey);
        }

        void seq(long value) {
            seq = value;
            seqChanged = true;
        }

        void pub(long value) {
            pub = value;
            pubChanged = true;
        }

        void ticker(long value) {
            ticker = value;
            tickerChanged = true;
        }

        /** Writes the positions changed since the last call. */
        void write() {
            if (seqChanged) {
                positionStore.put(seqKey, seq);
                seqChanged = false;
            }
            if (pubChanged) {
                positionStore.put(pubKey, pub);
                pubChanged = false;
            }
            if (tickerChanged) {
                positionStore.put(tickerKey, ticker);
                tickerChanged = false;
            }
        }

        private long stored(String key) {
            Long value = positionStore.get(key);
            return value == null ? 0L : value;
        }
    }

    /** The last {@code seq} folded for a market, 0 if none. */
    long foldedSeq(String market) {
        return positions(market).seq;
    }

    private Positions positions(String market) {
        return positionCache.computeIfAbsent(market, Positions::new);
    }

    private L2Book book(MarketSpec spec) {
        return books.computeIfAbsent(spec.symbol(), s -> new L2Book(spec));
    }

    private TickerWindow ticker(MarketSpec spec) {
        return tickers.computeIfAbsent(spec.symbol(), s -> new TickerWindow(spec));
    }

    @Override
    public void close() {
        if (commitHook != null) {
            commitHook.remove(writeState);
            commitHook = null;
        }
        if (skippedSensor != null) {
            context.metrics().removeSensor(skippedSensor);
            skippedSensor = null;
        }
    }
}
