package io.marketstream.streams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * Folds one task's engine events into L2 books and emits deltas and trades.
 *
 * <p>An event whose {@code seq} is not newer than the market's last folded {@code seq} is a replay
 * (the engine re-sent it after a restart) and is skipped. A delta covers every event
 * since the previous delta ({@code U} = previous {@code u} + 1), including events that left the book
 * unchanged, so a client can check continuity. The books are held in memory for speed and written
 * through, level by level, to {@link MarketDataTopology#LEVELS_STORE}, from which they are rebuilt
 * when the task starts (after a restart or a move to another instance).
 */
final class BookFoldProcessor implements Processor<String, EngineEvent, Void, Void> {
    private static final Logger log = LoggerFactory.getLogger(BookFoldProcessor.class);

    private final MarketCatalog catalog;
    private final MarketDataSink sink;
    private final Map<String, L2Book> books = new HashMap<>();
    private KeyValueStore<String, Long> levels;
    private KeyValueStore<String, Long> positions;
    private long skippedEvents;

    BookFoldProcessor(MarketCatalog catalog, MarketDataSink sink) {
        this.catalog = catalog;
        this.sink = sink;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        levels = context.getStateStore(MarketDataTopology.LEVELS_STORE);
        positions = context.getStateStore(MarketDataTopology.POSITIONS_STORE);
        // Kafka Streams may re-init this instance after rolling its stores back (exactly-once abort):
        // the books must come from the stores alone.
        books.clear();
        try (KeyValueIterator<String, Long> all = levels.all()) {
            while (all.hasNext()) {
                KeyValue<String, Long> entry = all.next();
                String[] parts = entry.key.split("\\|");
                catalog.find(parts[0]).ifPresent(spec -> book(spec).set(
                        "B".equals(parts[1]) ? Side.BUY : Side.SELL, Long.parseLong(parts[2]), entry.value));
            }
        }
    }

    @Override
    public void process(Record<String, EngineEvent> record) {
        EngineEvent event = record.value();
        if (event == null) {
            skippedEvents++;
            log.warn("Skipping an empty event record (key {}); {} skipped so far", record.key(), skippedEvents);
            return;
        }
        MarketSpec spec = catalog.find(event.market()).orElse(null);
        if (spec == null) {
            skippedEvents++;
            log.warn("Skipping event for unknown market {} (seq {}); {} skipped so far",
                    event.market(), event.seq(), skippedEvents);
            return;
        }
        String market = spec.symbol();
        long folded = position(market, "seq");
        if (event.seq() <= folded) {
            return;
        }
        if (event.seq() != folded + 1) {
            // Never fold past a gap: the book would be wrong while every checksum still matched. The
            // market waits for the missing events (the engine re-sends them after a restart).
            skippedEvents++;
            log.error("{}: event seq {} does not follow {}; waiting for the missing events ({} skipped so far)",
                    market, event.seq(), folded, skippedEvents);
            return;
        }
        L2Book book = book(spec);
        Map<String, Long> changed = new LinkedHashMap<>();
        try {
            if (event instanceof OrderRested rested) {
                change(book, changed, rested.side(), spec.parsePrice(rested.price()), spec.parseQty(rested.qty()));
            } else if (event instanceof OrderCancelled cancelled && cancelled.wasResting()) {
                change(book, changed, cancelled.side(), spec.parsePrice(cancelled.price()),
                        -spec.parseQty(cancelled.remainingQty()));
            } else if (event instanceof Trade trade) {
                change(book, changed, trade.takerSide().opposite(), spec.parsePrice(trade.price()),
                        -spec.parseQty(trade.qty()));
            }
        } catch (RuntimeException e) {
            // A malformed or inconsistent event (each event changes at most one level, and nothing is
            // changed before its fields are validated). It is not folded, so the market waits here
            // rather than showing a wrong book.
            skippedEvents++;
            log.error("{}: cannot fold event {}; the market stops here ({} skipped so far)", market, event, skippedEvents, e);
            return;
        }
        positions.put(market + "|seq", event.seq());
        if (!changed.isEmpty()) {
            long published = position(market, "pub");
            List<PriceLevel> bids = new ArrayList<>();
            List<PriceLevel> asks = new ArrayList<>();
            for (Map.Entry<String, Long> e : changed.entrySet()) {
                String[] parts = e.getKey().split("\\|");
                long price = Long.parseLong(parts[1]);
                PriceLevel level = new PriceLevel(spec.formatPrice(price), spec.formatQty(e.getValue()));
                ("B".equals(parts[0]) ? bids : asks).add(level);
            }
            BookMessage delta = new BookMessage(Channels.book(market), BookMessage.DELTA, published + 1,
                    event.seq(), bids, asks, book.checksum(), event.ts());
            sink.book(delta, book);
            positions.put(market + "|pub", event.seq());
        }
        if (event instanceof Trade trade) {
            sink.trade(new TradeMessage(Channels.trades(market), trade.seq(), trade.tradeId(), trade.price(),
                    trade.qty(), trade.takerSide(), trade.ts()));
        }
    }

    private void change(L2Book book, Map<String, Long> changed, Side side, long price, long delta) {
        long now = book.add(side, price, delta);
        String sideKey = side == Side.BUY ? "B" : "S";
        String levelKey = book.spec().symbol() + "|" + sideKey + "|" + price;
        if (now == 0) {
            levels.delete(levelKey);
        } else {
            levels.put(levelKey, now);
        }
        changed.put(sideKey + "|" + price, now);
    }

    private long position(String market, String name) {
        Long value = positions.get(market + "|" + name);
        return value == null ? 0 : value;
    }

    private L2Book book(MarketSpec spec) {
        return books.computeIfAbsent(spec.symbol(), s -> new L2Book(spec));
    }
}
