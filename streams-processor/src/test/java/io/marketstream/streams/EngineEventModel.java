package io.marketstream.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.BalanceChanged;
import io.marketstream.protocol.event.CancelReason;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderAccepted;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderReduced;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.OrderType;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.marketdata.L2Book;

/**
 * A seeded stream of well-formed engine events for one market (rests, cancels, reductions, trades,
 * acceptances and balance changes, {@code seq} 1, 2, 3…, one event per {@code tsStep} ms), and the
 * L2 book they describe, kept independently of the code under test.
 */
public final class EngineEventModel {
    private final MarketSpec spec;
    private final Random random;
    private final long tsStep;
    private final List<long[]> resting = new ArrayList<>(); // orderId, side (0 buy, 1 sell), price, qty, account
    private final L2Book book;
    private long seq;
    private long orderId;
    private long tradeId;
    private long ts;

    public EngineEventModel(MarketSpec spec, long seed, long startTs, long tsStep) {
        this.spec = spec;
        this.random = new Random(seed);
        this.book = new L2Book(spec);
        this.ts = startTs;
        this.tsStep = tsStep;
    }

    /** The book the events so far describe. */
    public L2Book book() {
        return book;
    }

    /** The last event's {@code seq}. */
    public long seq() {
        return seq;
    }

    public List<EngineEvent> next(int n) {
        List<EngineEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next());
        }
        return out;
    }

    public EngineEvent next() {
        int roll = random.nextInt(100);
        ts += tsStep;
        String market = spec.symbol();
        long account = 1 + random.nextInt(5);
        if (roll < 8) {
            return new OrderAccepted(market, ++seq, "c" + seq, ts, ++orderId, account, "x", OrderType.LIMIT,
                    Side.BUY, "1.00", "1.0000", null, null, false);
        }
        if (roll < 14) {
            return new BalanceChanged(market, ++seq, "c" + seq, ts, account, spec.quote(), "100.000000", "0.000000");
        }
        if (roll < 55 || resting.isEmpty()) {
            boolean buy = random.nextBoolean();
            long price = buy ? 9_000 + random.nextInt(900) : 10_100 + random.nextInt(900);
            long qty = 100 * (1 + random.nextInt(20));
            resting.add(new long[] {++orderId, buy ? 0 : 1, price, qty, account});
            book.add(buy ? Side.BUY : Side.SELL, price, qty);
            return new OrderRested(market, ++seq, "c" + seq, ts, orderId, account, buy ? Side.BUY : Side.SELL,
                    spec.formatPrice(price), spec.formatQty(qty));
        }
        long[] order = resting.get(random.nextInt(resting.size()));
        Side side = order[1] == 0 ? Side.BUY : Side.SELL;
        if (roll < 75) {
            resting.remove(order);
            book.add(side, order[2], -order[3]);
            return new OrderCancelled(market, ++seq, "c" + seq, ts, order[0], order[4], side,
                    spec.formatPrice(order[2]), spec.formatQty(order[3]), true, CancelReason.USER);
        }
        if (roll < 83 && order[3] > 100) {
            long by = 100 * (1 + random.nextInt((int) (order[3] / 100 - 1)));
            order[3] -= by;
            book.add(side, order[2], -by);
            return new OrderReduced(market, ++seq, "c" + seq, ts, order[0], order[4], side,
                    spec.formatPrice(order[2]), spec.formatQty(by), spec.formatQty(order[3]));
        }
        long qty = Math.min(order[3], 100 * (1 + random.nextInt(10)));
        order[3] -= qty;
        if (order[3] == 0) {
            resting.remove(order);
        }
        book.add(side, order[2], -qty);
        return new Trade(market, ++seq, "c" + seq, ts, ++tradeId, spec.formatPrice(order[2]), spec.formatQty(qty),
                spec.formatQuote(spec.notional(order[2], qty)), side.opposite(), order[0], 999_000 + seq, order[4],
                account, "0", spec.base(), "0", spec.quote());
    }
}
