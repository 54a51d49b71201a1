package io.marketstream.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.redis.RedisMarketDataPublisher;

/**
 * Publishes a market's book into Redis the way the streams job does (snapshot, then sequenced deltas
 * with absolute levels and checksums), from random changes around a mid price, and keeps the true book.
 */
final class BookFeed {
    final MarketSpec spec;
    final L2Book truth;
    private final RedisMarketDataPublisher publisher;
    private final Random random;
    long u;

    BookFeed(MarketSpec spec, RedisMarketDataPublisher publisher, long seed) {
        this.spec = spec;
        this.truth = new L2Book(spec);
        this.publisher = publisher;
        this.random = new Random(seed);
    }

    /** Publishes the current book as a snapshot at a new sequence. */
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

    /** One delta of a few random level changes (some removals, some near the top, some deep); returns it. */
    BookMessage delta() {
        return delta(1 + random.nextInt(4), 120);
    }

    /** One delta of up to {@code changes} random level changes within {@code maxDistance} ticks of the mid. */
    BookMessage delta(int changes, int maxDistance) {
        List<PriceLevel> bids = new ArrayList<>();
        List<PriceLevel> asks = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            boolean buy = random.nextBoolean();
            int distance = random.nextInt(10) < 7 ? 1 + random.nextInt(Math.min(15, maxDistance))
                    : 1 + random.nextInt(maxDistance);
            long price = price(buy ? -distance : distance);
            long qty = random.nextInt(4) == 0 ? 0 : qty();
            List<PriceLevel> side = buy ? bids : asks;
            if (side.stream().anyMatch(l -> l.price().equals(spec.formatPrice(price)))) {
                continue;
            }
            truth.set(buy ? Side.BUY : Side.SELL, price, qty);
            side.add(new PriceLevel(spec.formatPrice(price), spec.formatQty(qty)));
        }
        u += 1;
        BookMessage delta = new BookMessage(Channels.book(spec.symbol()), BookMessage.DELTA, u, u, bids, asks,
                truth.checksum(), System.currentTimeMillis());
        publisher.publishBook(delta, false);
        return delta;
    }

    private long price(int ticks) {
        return 10_000 * spec.tickSize() + (long) ticks * spec.tickSize();
    }

    private long qty() {
        return (1 + random.nextInt(50)) * spec.lotSize();
    }
}
