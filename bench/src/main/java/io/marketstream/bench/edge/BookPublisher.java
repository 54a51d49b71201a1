package io.marketstream.bench.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

import io.marketstream.bench.EpochMicros;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.redis.RedisMarketDataPublisher;

/**
 * Publishes one market's book into Redis the way the streams job does (a snapshot, then sequenced deltas
 * of one to four absolute level changes with the checksum of the true book), at a fixed rate, on a thread of
 * its own. Each delta's {@code ts} is its publish time in epoch ms, so a client on this machine measures
 * event-to-client latency as its receive time minus {@code ts}.
 *
 * <p>{@code ts} has millisecond resolution. At rates that divide 1,000 the deltas are published at the
 * start of a millisecond (parked until the clock ticks over), so {@code ts} is behind the true publish
 * time only by the oversleep; at higher rates it is up to a millisecond behind. {@link #tsLagMicros()}
 * records the difference (publish time in µs minus {@code ts}): it is the measurement's own bias, to be
 * read beside the latency figures.
 */
final class BookPublisher implements AutoCloseable {
    private final MarketSpec spec;
    private final L2Book truth;
    private final RedisMarketDataPublisher publisher;
    private final Random random = new Random(42);
    private final Histogram tsLag = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
    private volatile boolean running;
    private Thread thread;
    private volatile long published;
    private volatile long behind;
    private long u;

    BookPublisher(MarketSpec spec, RedisMarketDataPublisher publisher) {
        this.spec = spec;
        this.truth = new L2Book(spec);
        this.publisher = publisher;
    }

    /** Replaces the book with {@code levelsPerSide} levels a side, published as a snapshot. */
    void snapshot(int levelsPerSide) {
        for (int i = 1; i <= levelsPerSide; i++) {
            truth.set(Side.BUY, price(-i), qty());
            truth.set(Side.SELL, price(i), qty());
        }
        u += 1;
        publisher.publishBook(new BookMessage(Channels.book(spec.symbol()), BookMessage.SNAPSHOT, u, u,
                truth.levels(Side.BUY, Integer.MAX_VALUE), truth.levels(Side.SELL, Integer.MAX_VALUE), truth.checksum(),
                System.currentTimeMillis()), true);
    }

    /** Starts publishing deltas at {@code perSecond} (0: as fast as Redis answers, one at a time). */
    synchronized void start(int perSecond) {
        stop();
        tsLag.reset();
        running = true;
        thread = new Thread(() -> run(perSecond), "book-publisher");
        thread.setDaemon(true);
        thread.start();
    }

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
    }

    /** Deltas published so far. */
    long published() {
        return published;
    }

    /** Deltas published more than 100 ms after their scheduled time (the publisher could not keep the rate). */
    long behind() {
        return behind;
    }

    /** The sequence of the last message published. */
    long lastSeq() {
        return u;
    }

    /** Publish time (µs) minus {@code ts} (ms, as µs) of every delta; read only while stopped. */
    Histogram tsLagMicros() {
        return tsLag;
    }

    private void run(int perSecond) {
        boolean aligned = perSecond > 0 && perSecond <= 1_000 && 1_000 % perSecond == 0;
        long startMicros = (EpochMicros.now() / 1_000 + 2) * 1_000;
        for (long i = 0; running; i++) {
            if (perSecond > 0) {
                long due = startMicros + (aligned ? i * (1_000 / perSecond) * 1_000 : i * 1_000_000 / perSecond);
                long wait;
                while ((wait = due - EpochMicros.now()) > 0) {
                    LockSupport.parkNanos(wait * 1_000);
                }
                if (-wait > 100_000) {
                    behind++;
                }
            }
            long ts = System.currentTimeMillis();
            long at = EpochMicros.now();
            delta(ts);
            tsLag.recordValue(Math.max(0, Math.min(at - ts * 1_000, tsLag.getHighestTrackableValue())));
            published++;
        }
    }

    private void delta(long ts) {
        List<PriceLevel> bids = new ArrayList<>(4);
        List<PriceLevel> asks = new ArrayList<>(4);
        int changes = 1 + random.nextInt(4);
        for (int i = 0; i < changes; i++) {
            boolean buy = random.nextBoolean();
            int distance = random.nextInt(10) < 7 ? 1 + random.nextInt(15) : 1 + random.nextInt(120);
            long price = price(buy ? -distance : distance);
            long qty = random.nextInt(4) == 0 ? 0 : qty();
            List<PriceLevel> side = buy ? bids : asks;
            String formatted = spec.formatPrice(price);
            if (side.stream().anyMatch(l -> l.price().equals(formatted))) {
                continue;
            }
            truth.set(buy ? Side.BUY : Side.SELL, price, qty);
            side.add(new PriceLevel(formatted, spec.formatQty(qty)));
        }
        u += 1;
        publisher.publishBook(new BookMessage(Channels.book(spec.symbol()), BookMessage.DELTA, u, u, bids, asks,
                truth.checksum(), ts), false);
    }

    private long price(int ticks) {
        return 10_000 * spec.tickSize() + (long) ticks * spec.tickSize();
    }

    private long qty() {
        return (1 + random.nextInt(50)) * spec.lotSize();
    }

    @Override
    public void close() {
        stop();
    }
}
