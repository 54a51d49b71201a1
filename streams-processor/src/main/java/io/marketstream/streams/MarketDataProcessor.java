package io.marketstream.streams;

import java.time.Duration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 * <p>State: books level by level in {@link MarketDataTopology#LEVELS_STORE}, positions and
 * sequences in {@link MarketDataTopology#POSITIONS_STORE}, open candles in
 * {@link MarketDataTopology#KLINES_STORE}, the ticker's closed minutes in
 * {@link MarketDataTopology#MINUTES_STORE}; all held in memory too and rebuilt from the stores when
 * the task starts (after a restart or a move to another instance).
 */
final class MarketDataProcessor implements Processor<String, EngineEvent, Void, Void> {
    private static final Logger log = LoggerFactory.getLogger(MarketDataProcessor.class);
    private static final String CLOCK_KEY = "~clock";

    private final MarketCatalog catalog;
    private final MarketDataSink sink;
    private final Map<String, L2Book> books = new HashMap<>();
    private final Map<String, MarketKlines> klines = new LinkedHashMap<>();
    private final Map<String, TickerWindow> tickers = new HashMap<>();
    /** Positions read so far, kept in step with the store (which is the truth after a restart). */
    private final Map<String, Positions> positionCache = new HashMap<>();
    private KeyValueStore<String, Long> levels;
    private KeyValueStore<String, Long> positionStore;
    private KeyValueStore<String, String> klineStore;
    private KeyValueStore<String, String> minuteStore;
    private ProcessorContext<Void, Void> context;
    private Sensor skippedSensor;
    private long clock;
    private long skippedEvents;

    MarketDataProcessor(MarketCatalog catalog, MarketDataSink sink) {
        this.catalog = catalog;
        this.sink = sink;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        context.getStateStore(MarketDataTopology.COMMIT_HOOK_STORE);
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> sink.maintain());
        try {
            skippedSensor = context.metrics().addRateTotalSensor("marketstream", "task-" + context.taskId(),
                    MarketDataTopology.SKIPPED_EVENTS_METRIC, Sensor.RecordingLevel.INFO);
        } catch (RuntimeException e) {
            log.warn("Could not register the skipped-events metric", e);
        }
        restore(context.getStateStore(MarketDataTopology.LEVELS_STORE),
                context.getStateStore(MarketDataTopology.POSITIONS_STORE),
                context.getStateStore(MarketDataTopology.KLINES_STORE),
                context.getStateStore(MarketDataTopology.MINUTES_STORE));
    }

    /**
     * Takes the stores and rebuilds everything held in memory from them alone: {@link #init} does it in
     * Kafka Streams, and {@link MarketDataFold} with stores of its own outside it (no context then: no
     * punctuation, no metric).
     */
    void restore(KeyValueStore<String, Long> levels, KeyValueStore<String, Long> positionStore,
                 KeyValueStore<String, String> klineStore, KeyValueStore<String, String> minuteStore) {
        this.levels = levels;
        this.positionStore = positionStore;
        this.klineStore = klineStore;
        this.minuteStore = minuteStore;
        // Kafka Streams may re-init this instance after rolling its stores back (exactly-once abort):
        // everything must come from the stores alone.
        books.clear();
        positionCache.clear();
        klines.clear();
        tickers.clear();
        try (KeyValueIterator<String, Long> all = levels.all()) {
            while (all.hasNext()) {
                KeyValue<String, Long> entry = all.next();
                String[] parts = entry.key.split("\\|");
                catalog.find(parts[0]).ifPresent(spec -> book(spec).set(
                        "B".equals(parts[1]) ? Side.BUY : Side.SELL, Long.parseLong(parts[2]), entry.value));
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
            positionStore.put(CLOCK_KEY, clock);
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
            klineStore.put(market, klines.get(market).encode());
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
                klineStore.put(market, marketKlines.encode());
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
        String levelKey = book.spec().symbol() + (side == Side.BUY ? "|B|" : "|S|") + price;
        if (now == 0) {
            levels.delete(levelKey);
        } else {
            levels.put(levelKey, now);
        }
        return new LevelChange(side, price, now);
    }

    /**
     * A market's positions in {@link MarketDataTopology#POSITIONS_STORE} ({@code market|seq},
     * {@code market|pub}, {@code market|ticker}), read once and then kept in memory in step with the
     * store, with their keys built once.
     */
    private final class Positions {
        final String bookChannel;
        private final String seqKey;
        private final String pubKey;
        private final String tickerKey;
        long seq;
        long pub;
        long ticker;

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
            positionStore.put(seqKey, value);
        }

        void pub(long value) {
            pub = value;
            positionStore.put(pubKey, value);
        }

        void ticker(long value) {
            ticker = value;
            positionStore.put(tickerKey, value);
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
        if (skippedSensor != null) {
            context.metrics().removeSensor(skippedSensor);
            skippedSensor = null;
        }
    }
}
