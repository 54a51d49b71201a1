package io.marketstream.bench.loadgen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.marketstream.bench.EpochMicros;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;
import io.marketstream.protocol.kafka.Topics;

/**
 * {@code traders} simulated traders (accounts {@value #FIRST_ACCOUNT} on) submitting commands to the
 * engine's command topic at an aggregate rate, on one sending thread that takes them in turn (as many
 * traders each at {@code rate / traders}, phases staggered). Each trader places limit orders around a
 * market's drifting mid price (about one in six crosses it, so trades happen), a few market orders, and
 * cancels its own resting orders (learned from the engine's events by {@link EventFollower}, fills included),
 * more often the more it has resting, so that the books stay bounded. Seeded: the same options give the same commands.
 *
 * <p>Every command carries {@code ts}, its submission time in epoch ms, which the engine copies onto its
 * events and the streams job onto book deltas: a client's receive time minus {@code ts} is the
 * command-to-client latency. {@code ts} has millisecond resolution, so a command is stamped from the same
 * reading of the clock it is sent at, and at rates that divide 1,000 it is sent at the start of a millisecond:
 * {@link #stampLagMicros()} records how far past its {@code ts} each command was sent (µs), the bias every
 * latency figure carries.
 *
 * <p>Unlike the demo's {@code SimulatedTraders} (app), it is seeded, paced to a schedule (not by poll
 * timeouts), keeps each trader's orders apart, and counts the commands the broker acknowledged.
 */
final class TraderFleet implements AutoCloseable {
    static final long FIRST_ACCOUNT = 10_000;
    private static final int MAX_RESTING = 40;

    private final List<MarketSpec> markets;
    private final int traders;
    private final KafkaProducer<String, OrderCommand> producer;
    private final Random random;
    private final Map<String, Long> mids = new HashMap<>();
    /** Resting orders (id to remaining quantity, scaled), per trader and market ({@code trader * markets + market}). */
    private final List<Map<Long, Long>> resting = new ArrayList<>();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Histogram stampLag = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
    private volatile boolean running;
    /** Where to record send-to-acknowledgement times (µs), or null. */
    volatile Recorder ackLatency;
    private volatile long sent;
    private volatile long late;
    private Thread thread;
    private long commandNumber;

    TraderFleet(String bootstrap, List<MarketSpec> markets, int traders, long seed) {
        if (traders < 1) {
            throw new IllegalArgumentException("at least one trader is needed, not " + traders);
        }
        this.markets = markets;
        this.traders = traders;
        this.random = new Random(seed);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "loadgen-traders");
        this.producer = new KafkaProducer<>(p, Topics.ORDER_COMMANDS.keySerde().serializer(),
                Topics.ORDER_COMMANDS.valueSerde().serializer());
        long[] startMids = {50_000_00L, 3_000_00L};
        for (int i = 0; i < markets.size(); i++) {
            mids.put(markets.get(i).symbol(), startMids[i % startMids.length] * markets.get(i).tickSize());
        }
        for (int i = 0; i < traders * markets.size(); i++) {
            resting.add(new java.util.LinkedHashMap<>());
        }
    }

    /** Deposits plenty of both assets for every trader in every market (balances are per market); waits for the acks. */
    void fund() {
        long ts = System.currentTimeMillis();
        for (MarketSpec m : markets) {
            for (int t = 0; t < traders; t++) {
                long account = FIRST_ACCOUNT + t;
                String prefix = "fund-" + m.symbol() + "-" + account;
                send(m, new Deposit(prefix + "-base", m.symbol(), account, m.base(), "1000000", ts));
                send(m, new Deposit(prefix + "-quote", m.symbol(), account, m.quote(), "100000000000", ts));
            }
        }
        producer.flush();
    }

    /** Starts submitting {@code perSecond} commands a second in all, on a thread of its own. */
    synchronized void start(int perSecond) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("the command rate must be at least 1 a second, not " + perSecond);
        }
        stop();
        stampLag.reset();
        running = true;
        thread = new Thread(() -> run(perSecond), "traders");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops submitting and waits until every command sent is acknowledged (or failed). */
    synchronized void stop() {
        running = false;
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        producer.flush();
    }

    long sent() {
        return sent;
    }

    long acked() {
        return acked.get();
    }

    long failed() {
        return failed.get();
    }

    /** Commands sent more than 100 ms after their turn: the sender could not keep the rate. */
    long late() {
        return late;
    }

    /** Send time minus {@code ts} of every command since {@link #start} (µs); read while stopped. */
    Histogram stampLagMicros() {
        return stampLag;
    }

    /** The engine says this trader's order rests on the book with {@code qty} (called by the event follower's thread). */
    void rested(String market, long account, long orderId, long qty) {
        Map<Long, Long> orders = ordersOf(market, account);
        if (orders != null) {
            synchronized (orders) {
                orders.put(orderId, qty);
            }
        }
    }

    /** The engine says this trader's resting order lost {@code qty} (a fill); it leaves the list when nothing is left. */
    void filled(String market, long account, long orderId, long qty) {
        Map<Long, Long> orders = ordersOf(market, account);
        if (orders != null) {
            synchronized (orders) {
                Long left = orders.get(orderId);
                if (left != null && left - qty > 0) {
                    orders.put(orderId, left - qty);
                } else {
                    orders.remove(orderId);
                }
            }
        }
    }

    /** The engine says this trader's order left the book (cancelled). */
    void gone(String market, long account, long orderId) {
        Map<Long, Long> orders = ordersOf(market, account);
        if (orders != null) {
            synchronized (orders) {
                orders.remove(orderId);
            }
        }
    }

    private Map<Long, Long> ordersOf(String market, long account) {
        long trader = account - FIRST_ACCOUNT;
        if (trader < 0 || trader >= traders) {
            return null;
        }
        for (int m = 0; m < markets.size(); m++) {
            if (markets.get(m).symbol().equals(market)) {
                return resting.get((int) trader * markets.size() + m);
            }
        }
        return null;
    }

    private void run(int perSecond) {
        boolean aligned = perSecond <= 1_000 && 1_000 % perSecond == 0;
        long startMicros = (EpochMicros.now() / 1_000 + 2) * 1_000;
        for (long i = 0; running; i++) {
            long due = startMicros + (aligned ? i * (1_000 / perSecond) * 1_000 : i * 1_000_000 / perSecond);
            long now;
            while ((now = EpochMicros.now()) < due) {
                long wait = due - now;
                if (wait > 200) {
                    LockSupport.parkNanos((wait - 100) * 1_000);
                } else {
                    Thread.onSpinWait();
                }
                if (!running) {
                    return;
                }
            }
            if (now - due > 100_000) {
                late++;
            }
            int trader = (int) (commandNumber % traders);
            MarketSpec market = markets.get(random.nextInt(markets.size()));
            long ts = now / 1_000;
            send(market, next(trader, market, ts));
            stampLag.recordValue(Math.min(now - ts * 1_000, stampLag.getHighestTrackableValue()));
            sent++;
        }
    }

    private void send(MarketSpec market, OrderCommand command) {
        long sentAt = EpochMicros.now();
        producer.send(new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), market.symbol(), command), (md, e) -> {
            if (e == null) {
                acked.incrementAndGet();
                Recorder ack = ackLatency;
                if (ack != null) {
                    StageProbes.recordMicros(ack, EpochMicros.now() - sentAt);
                }
            } else if (failed.incrementAndGet() <= 3) {
                System.err.println("a command was not acknowledged: " + e);
            }
        });
    }

    private OrderCommand next(int trader, MarketSpec m, long ts) {
        String symbol = m.symbol();
        long account = FIRST_ACCOUNT + trader;
        String id = "t" + trader + "-" + (commandNumber++);
        long tick = m.tickSize();
        long mid = Math.max(100 * tick, mids.get(symbol) + (random.nextInt(3) - 1) * tick * (1 + random.nextInt(5)));
        mids.put(symbol, mid);
        Map<Long, Long> orders = ordersOf(symbol, account);
        Long cancel = null;
        synchronized (orders) {
            int roll = random.nextInt(100);
            if (!orders.isEmpty() && (orders.size() >= MAX_RESTING || roll < 20 + orders.size())) {
                cancel = orders.keySet().stream().skip(random.nextInt(orders.size())).findFirst().orElseThrow();
                orders.remove(cancel);
            }
        }
        if (cancel != null) {
            return new CancelOrder(id, symbol, account, cancel, ts);
        }
        Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
        long qty = m.lotSize() * (1 + random.nextInt(50)) * 100;
        if (random.nextInt(100) < 3) {
            return new PlaceMarketOrder(id, symbol, account, id, side, m.formatQty(qty), null, null, ts);
        }
        // mostly passive orders a few ticks from the mid; about one in six crosses it
        long offset = tick * (random.nextInt(60) - 8);
        long price = side == Side.BUY ? mid - offset : mid + offset;
        price = Math.max(tick, price - price % tick);
        return new PlaceLimitOrder(id, symbol, account, id, side, m.formatPrice(price), m.formatQty(qty), ts);
    }

    @Override
    public void close() {
        stop();
        producer.close(Duration.ofSeconds(10));
    }
}
