package io.marketstream.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import io.marketstream.engine.MatchingEngine;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.kafka.Topics;

/**
 * Engine events as history: seeded order flow (resting orders, crossing orders that trade, cancels) on
 * every market of a catalog, run through the real matching engine with chosen command times, and put on
 * the event topic with each record's timestamp its event's {@code ts} (as if the engine had written it
 * then), so that tests can pick ranges by time.
 */
final class HistoricalEvents {
    private final MatchingEngine engine;
    private final Random random;
    private final List<EngineEvent> events = new ArrayList<>();
    private final Map<String, List<long[]>> resting = new java.util.HashMap<>(); // orderId, account
    private long commands;

    HistoricalEvents(MarketCatalog catalog, long seed) {
        this.engine = new MatchingEngine(catalog);
        this.random = new Random(seed);
    }

    List<EngineEvent> events() {
        return events;
    }

    MatchingEngine engine() {
        return engine;
    }

    /**
     * The seq of the market's last event that changed its book: where the streams job's stored book is once it
     * has folded everything (events after it, such as balance changes, are covered by the next book message).
     */
    long lastBookSeq(String market) {
        for (int i = events.size() - 1; i >= 0; i--) {
            EngineEvent e = events.get(i);
            if (e.market().equals(market) && (e instanceof OrderRested || e instanceof io.marketstream.protocol.event.Trade
                    || e instanceof io.marketstream.protocol.event.OrderReduced
                    || (e instanceof io.marketstream.protocol.event.OrderCancelled c && c.wasResting()))) {
                return e.seq();
            }
        }
        return 0;
    }

    /** Funds accounts 1..6 in every market at {@code ts}. */
    HistoricalEvents fund(long ts) {
        for (MarketSpec m : engine.catalog().all()) {
            for (long account = 1; account <= 6; account++) {
                run(new Deposit("d" + commands, m.symbol(), account, m.base(), "1000", ts));
                run(new Deposit("d" + commands, m.symbol(), account, m.quote(), "10000000", ts));
            }
        }
        return this;
    }

    /** {@code n} commands on each market, one every {@code stepMs} from {@code fromTs}, markets taking turns. */
    HistoricalEvents trade(int n, long fromTs, long stepMs) {
        long ts = fromTs;
        for (int i = 0; i < n; i++) {
            for (MarketSpec m : engine.catalog().all()) {
                run(next(m, ts));
                ts += stepMs;
            }
        }
        return this;
    }

    private OrderCommand next(MarketSpec m, long ts) {
        String id = "h" + commands;
        List<long[]> open = resting.computeIfAbsent(m.symbol(), s -> new ArrayList<>());
        if (random.nextInt(100) < 15 && !open.isEmpty()) {
            long[] order = open.remove(random.nextInt(open.size()));
            return new CancelOrder(id, m.symbol(), order[1], order[0], ts);
        }
        Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
        long account = 1 + random.nextInt(6);
        // around 100.00: a quarter of the orders cross the spread
        long offset = m.tickSize() * (random.nextInt(40) - 10);
        long price = 10_000 + (side == Side.BUY ? -offset : offset);
        long qty = m.lotSize() * 100 * (1 + random.nextInt(20));
        return new PlaceLimitOrder(id, m.symbol(), account, id, side, m.formatPrice(price), m.formatQty(qty), ts);
    }

    private void run(OrderCommand command) {
        commands++;
        for (EngineEvent event : engine.process(command, command.ts())) {
            events.add(event);
            if (event instanceof OrderRested rested) {
                resting.computeIfAbsent(rested.market(), s -> new ArrayList<>()).add(new long[] {rested.orderId(), rested.account()});
            }
        }
    }

    /** Produces the events (from index {@code from} on) keyed by market, each record timestamped with its {@code ts}. */
    void produce(String bootstrap, int from) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, EngineEvent> producer = new KafkaProducer<>(p, new StringSerializer(),
                Topics.ENGINE_EVENTS.valueSerde().serializer())) {
            for (EngineEvent event : events.subList(from, events.size())) {
                producer.send(new ProducerRecord<>(Topics.ENGINE_EVENTS.name(), null, event.ts(), event.market(), event));
            }
            producer.flush();
        }
    }
}
