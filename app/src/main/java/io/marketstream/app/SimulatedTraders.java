package io.marketstream.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.kafka.Topics;

/**
 * Simulated traders for the demo: they place limit orders around a drifting mid price (some of
 * them marketable, so trades happen), a few market orders, and cancel their own resting orders,
 * at a set rate, on every market given. They learn their order ids from the engine's events, as a
 * real trading client learns them from its acknowledgements.
 */
final class SimulatedTraders implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SimulatedTraders.class);
    private static final int ACCOUNTS = 20;
    private static final int FIRST_ACCOUNT = 1_000;

    private final List<MarketSpec> markets;
    private final double commandsPerSecond;
    private final KafkaProducer<String, OrderCommand> producer;
    private final KafkaConsumer<String, EngineEvent> acks;
    private final Random random = new Random();
    private final Map<String, Long> mids = new HashMap<>();
    private final Map<String, List<long[]>> open = new HashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile long sent;

    SimulatedTraders(String bootstrap, List<MarketSpec> markets, double commandsPerSecond) {
        this.markets = markets;
        this.commandsPerSecond = commandsPerSecond;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "simulated-traders");
        this.producer = new KafkaProducer<>(p, Topics.ORDER_COMMANDS.keySerde().serializer(),
                Topics.ORDER_COMMANDS.valueSerde().serializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.acks = new KafkaConsumer<>(c, Topics.ENGINE_EVENTS.keySerde().deserializer(),
                Topics.ENGINE_EVENTS.valueSerde().deserializer());
        long[] startMids = {50_000_00L, 3_000_00L};
        for (int i = 0; i < markets.size(); i++) {
            mids.put(markets.get(i).symbol(), startMids[i % startMids.length] / (i / 2 + 1));
            open.put(markets.get(i).symbol(), new ArrayList<>());
        }
    }

    /** Runs until {@link #close()}: send, then read acknowledgements, paced to the rate. */
    void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : acks.partitionsFor(Topics.ENGINE_EVENTS.name())) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
            acks.assign(partitions);
            acks.seekToEnd(partitions);
            fundAccounts();
            long intervalNanos = (long) (1_000_000_000L / commandsPerSecond);
            long next = System.nanoTime();
            while (running) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    for (ConsumerRecord<String, EngineEvent> r : acks.poll(Duration.ofNanos(wait))) {
                        learn(r.value());
                    }
                    continue;
                }
                MarketSpec market = markets.get(random.nextInt(markets.size()));
                producer.send(new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), market.symbol(), nextCommand(market)));
                sent++;
                next += intervalNanos;
                if (next < System.nanoTime() - 1_000_000_000L) {
                    next = System.nanoTime();
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } finally {
            producer.close(Duration.ofSeconds(5));
            acks.close(Duration.ofSeconds(5));
            log.info("Simulated traders stopped after {} commands", sent);
            stopped.countDown();
        }
    }

    /**
     * Deposits plenty of both assets for every simulated account in every market (balances are
     * held per market), so that orders are refused only for the reasons a real trader's would be.
     */
    private void fundAccounts() {
        long ts = System.currentTimeMillis();
        for (MarketSpec m : markets) {
            for (int a = 0; a < ACCOUNTS; a++) {
                long account = FIRST_ACCOUNT + a;
                String prefix = "sim-fund-" + m.symbol() + "-" + account + "-" + ts;
                producer.send(new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), m.symbol(),
                        new Deposit(prefix + "-base", m.symbol(), account, m.base(), "10000", ts)));
                producer.send(new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), m.symbol(),
                        new Deposit(prefix + "-quote", m.symbol(), account, m.quote(), "1000000000", ts)));
            }
        }
        producer.flush();
    }

    private void learn(EngineEvent event) {
        if (event == null) {
            return;
        }
        List<long[]> orders = open.get(event.market());
        if (orders == null) {
            return;
        }
        if (event instanceof OrderRested rested && rested.account() >= FIRST_ACCOUNT
                && rested.account() < FIRST_ACCOUNT + ACCOUNTS) {
            orders.add(new long[] {rested.orderId(), rested.account()});
            if (orders.size() > 2_000) {
                orders.remove(0);
            }
        } else if (event instanceof OrderCancelled cancelled) {
            orders.removeIf(o -> o[0] == cancelled.orderId());
        }
    }

    private OrderCommand nextCommand(MarketSpec m) {
        String symbol = m.symbol();
        long mid = mids.get(symbol);
        long tick = m.tickSize();
        mid = Math.max(100 * tick, mid + (random.nextInt(3) - 1) * tick * (1 + random.nextInt(5)));
        mids.put(symbol, mid);
        String id = "sim-" + symbol + "-" + sent;
        long ts = System.currentTimeMillis();
        List<long[]> orders = open.get(symbol);
        int roll = random.nextInt(100);
        if (roll < 30 && !orders.isEmpty()) {
            long[] order = orders.remove(random.nextInt(orders.size()));
            return new CancelOrder(id, symbol, order[1], order[0], ts);
        }
        long account = FIRST_ACCOUNT + random.nextInt(ACCOUNTS);
        Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
        long qty = m.lotSize() * (1 + random.nextInt(50)) * 100;
        if (roll < 33) {
            return new PlaceMarketOrder(id, symbol, account, id, side, m.formatQty(qty), ts);
        }
        // Mostly passive orders a few ticks away from the mid; about one in six crosses it.
        long offset = tick * (random.nextInt(60) - 8);
        long price = side == Side.BUY ? mid - offset : mid + offset;
        price = Math.max(tick, price - price % tick);
        return new PlaceLimitOrder(id, symbol, account, id, side, m.formatPrice(price), m.formatQty(qty), ts);
    }

    /** Commands handed to the producer so far. */
    long commandsSent() {
        return sent;
    }

    @Override
    public void close() {
        running = false;
        acks.wakeup();
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
