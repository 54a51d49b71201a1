package io.marketstream.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A deterministic, engine-neutral stream of order commands for one market, so that two matching
 * engines can be measured on exactly the same work.
 *
 * <p>The mix: about 70% limit orders (most of them passive, about one in ten priced through the
 * spread), 25% cancels of an order that is really resting at that moment, and 5% market orders.
 * Prices are integer ticks around a fixed {@link #MID}; passive orders rest up to {@link #LEVELS}
 * ticks away from it, so after {@link #prefill()} each side of the book is about {@code LEVELS}
 * price levels deep. Quantities are integer lots.
 *
 * <p>To pick cancels of live orders, and to keep the two engines comparable, the generator runs a
 * small reference book of its own (price-time priority, fills at the resting price). It uses it
 * for two more things: no order ever trades against an order of the same account (the engines
 * differ in self-trade prevention, and a self-trade would make their books diverge), and it knows
 * how many trades and how much volume the measured ops must produce, so each adapter can check
 * that its engine did the same work ({@link #expectedTrades()}, {@link #expectedVolume()}).
 *
 * <p>Order ids: every {@link Kind#LIMIT} and {@link Kind#MARKET} op carries the next id, 1, 2, 3,
 * … across pre-fill and measured ops, which is the order in which an engine accepts them.
 */
public final class OrderMix {
    /** The mid price in ticks (30,000.00 with two price decimals). */
    public static final long MID = 3_000_000;
    /** How many ticks from the mid passive orders rest, at most. */
    public static final int LEVELS = 1_000;
    /** A market order's price cap for engines that need one: beyond any resting order. */
    public static final int MARKET_CAP_TICKS = LEVELS + 500;

    /** What an op does. */
    public enum Kind { LIMIT, MARKET, CANCEL }

    /**
     * One command, engine-neutral.
     *
     * @param kind    limit (good till cancelled), market (fill what the book has, drop the rest) or cancel
     * @param account the owner (1-based); for a cancel, the owner of the cancelled order
     * @param orderId for a place, the new order's id; for a cancel, the id of the order to cancel
     * @param buy     side of a place (for a cancel, the side of the cancelled order)
     * @param price   limit price in ticks; for a market order the cap ({@code MID ± MARKET_CAP_TICKS})
     * @param qty     quantity in lots (0 for a cancel)
     */
    public record Op(Kind kind, int account, long orderId, boolean buy, long price, long qty) {
    }

    private final List<Op> prefill;
    private final List<Op> measured;
    private final int accounts;
    private final long expectedTrades;
    private final long expectedVolume;
    private final int restingAfterPrefill;
    private final int restingAtEnd;

    private OrderMix(List<Op> prefill, List<Op> measured, int accounts, long expectedTrades, long expectedVolume,
                     int restingAfterPrefill, int restingAtEnd) {
        this.prefill = prefill;
        this.measured = measured;
        this.accounts = accounts;
        this.expectedTrades = expectedTrades;
        this.expectedVolume = expectedVolume;
        this.restingAfterPrefill = restingAfterPrefill;
        this.restingAtEnd = restingAtEnd;
    }

    /**
     * Generates a mix. The same arguments always give the same ops.
     *
     * @param seed             seeds the one random source
     * @param accounts         number of accounts, numbered 1..accounts
     * @param ordersPerLevel   pre-fill: passive orders per price level and side ({@code LEVELS} levels each side)
     * @param measuredOps      number of ops after the pre-fill
     */
    public static OrderMix generate(long seed, int accounts, int ordersPerLevel, int measuredOps) {
        if (accounts < 2) {
            throw new IllegalArgumentException("need at least two accounts, so that every taker has a counterparty");
        }
        Generator g = new Generator(new SplittableRandom(seed), accounts);
        List<Op> prefill = new ArrayList<>(2 * LEVELS * ordersPerLevel);
        for (int round = 0; round < ordersPerLevel; round++) {
            for (int level = 1; level <= LEVELS; level++) {
                prefill.add(g.place(Kind.LIMIT, g.randomAccount(), true, MID - level, g.limitQty()));
                prefill.add(g.place(Kind.LIMIT, g.randomAccount(), false, MID + level, g.limitQty()));
            }
        }
        int restingAfterPrefill = g.live.size();
        g.trades = 0;
        g.volume = 0;
        List<Op> measured = new ArrayList<>(measuredOps);
        for (int i = 0; i < measuredOps; i++) {
            measured.add(g.next());
        }
        return new OrderMix(Collections.unmodifiableList(prefill), Collections.unmodifiableList(measured), accounts,
                g.trades, g.volume, restingAfterPrefill, g.live.size());
    }

    /** Ops that build the warm book; not measured. Only passive limit orders. */
    public List<Op> prefill() {
        return prefill;
    }

    /** The ops to measure, run right after {@link #prefill()} on the same engine. */
    public List<Op> measured() {
        return measured;
    }

    public int accounts() {
        return accounts;
    }

    /** Trades (maker fills) that the measured ops produce on a price-time engine. */
    public long expectedTrades() {
        return expectedTrades;
    }

    /** Lots traded by the measured ops. */
    public long expectedVolume() {
        return expectedVolume;
    }

    public int restingAfterPrefill() {
        return restingAfterPrefill;
    }

    public int restingAtEnd() {
        return restingAtEnd;
    }

    /** Largest total quantity of one place op, in lots (for sizing deposits). */
    public static long maxQty() {
        return Generator.MARKET_QTY_MAX;
    }

    @Override
    public String toString() {
        return "OrderMix{accounts=" + accounts + ", prefill=" + prefill.size() + ", measured=" + measured.size()
                + ", resting after prefill=" + restingAfterPrefill + ", resting at end=" + restingAtEnd
                + ", expected trades=" + expectedTrades + ", expected volume=" + expectedVolume + " lots}";
    }

    /** The random choices and the reference book that keeps them honest. */
    private static final class Generator {
        static final int LIMIT_QTY_MAX = 50;
        static final int MARKET_QTY_MAX = 200;
        static final int CROSSING_PERCENT = 10;
        static final int CROSS_DEPTH_TICKS = 5;

        final SplittableRandom random;
        final int accounts;
        final NavigableMap<Long, ArrayDeque<Resting>> bids = new TreeMap<>(Comparator.reverseOrder());
        final NavigableMap<Long, ArrayDeque<Resting>> asks = new TreeMap<>();
        /** Resting orders, for picking a cancel uniformly: a dense array with swap-remove. */
        final ArrayList<Resting> live = new ArrayList<>();
        long nextOrderId = 1;
        long trades;
        long volume;

        Generator(SplittableRandom random, int accounts) {
            this.random = random;
            this.accounts = accounts;
        }

        int randomAccount() {
            return 1 + random.nextInt(accounts);
        }

        long limitQty() {
            return 1 + random.nextInt(LIMIT_QTY_MAX);
        }

        Op next() {
            int roll = random.nextInt(100);
            if (roll < 25 && !live.isEmpty()) {
                return cancel(live.get(random.nextInt(live.size())));
            }
            boolean buy = random.nextBoolean();
            if (roll < 30) {
                long cap = buy ? MID + MARKET_CAP_TICKS : MID - MARKET_CAP_TICKS;
                long qty = 1 + random.nextInt(MARKET_QTY_MAX);
                return place(Kind.MARKET, takerAccount(buy, cap, qty), buy, cap, qty);
            }
            long qty = limitQty();
            if (random.nextInt(100) < CROSSING_PERCENT) {
                long through = 1 + random.nextInt(CROSS_DEPTH_TICKS);
                long price = buy ? MID + through : MID - through;
                return place(Kind.LIMIT, takerAccount(buy, price, qty), buy, price, qty);
            }
            // Passive: more orders near the top of the book than deep in it, every level reachable.
            double u = random.nextDouble();
            long offset = 1 + (long) (u * u * LEVELS);
            long price = buy ? MID - offset : MID + offset;
            return place(Kind.LIMIT, takerAccount(buy, price, qty), buy, price, qty);
        }

        /** A random account none of whose orders the given order would trade against. */
        int takerAccount(boolean buy, long limit, long qty) {
            List<Integer> makers = makersHit(buy, limit, qty);
            for (int attempt = 0; attempt < 8; attempt++) {
                int account = randomAccount();
                if (!makers.contains(account)) {
                    return account;
                }
            }
            for (int account = 1; account <= accounts; account++) {
                if (!makers.contains(account)) {
                    return account;
                }
            }
            throw new IllegalStateException("every account owns an order this taker would hit; use more accounts");
        }

        List<Integer> makersHit(boolean buy, long limit, long qty) {
            List<Integer> makers = new ArrayList<>();
            long left = qty;
            for (Map.Entry<Long, ArrayDeque<Resting>> level : (buy ? asks : bids).entrySet()) {
                if (buy ? level.getKey() > limit : level.getKey() < limit) {
                    break;
                }
                for (Resting maker : level.getValue()) {
                    makers.add(maker.account);
                    left -= maker.remaining;
                    if (left <= 0) {
                        return makers;
                    }
                }
            }
            return makers;
        }

        Op place(Kind kind, int account, boolean buy, long price, long qty) {
            long orderId = nextOrderId++;
            long left = match(buy, price, qty);
            if (left > 0 && kind == Kind.LIMIT) {
                Resting order = new Resting(orderId, account, buy, price, left);
                (buy ? bids : asks).computeIfAbsent(price, p -> new ArrayDeque<>()).addLast(order);
                order.liveIndex = live.size();
                live.add(order);
            }
            return new Op(kind, account, orderId, buy, price, qty);
        }

        long match(boolean buy, long limit, long qty) {
            NavigableMap<Long, ArrayDeque<Resting>> book = buy ? asks : bids;
            long left = qty;
            Iterator<Map.Entry<Long, ArrayDeque<Resting>>> levels = book.entrySet().iterator();
            while (left > 0 && levels.hasNext()) {
                Map.Entry<Long, ArrayDeque<Resting>> level = levels.next();
                if (buy ? level.getKey() > limit : level.getKey() < limit) {
                    break;
                }
                ArrayDeque<Resting> queue = level.getValue();
                while (left > 0 && !queue.isEmpty()) {
                    Resting maker = queue.peekFirst();
                    long fill = Math.min(left, maker.remaining);
                    left -= fill;
                    maker.remaining -= fill;
                    trades++;
                    volume += fill;
                    if (maker.remaining == 0) {
                        queue.pollFirst();
                        forget(maker);
                    }
                }
                if (queue.isEmpty()) {
                    levels.remove();
                }
            }
            return left;
        }

        Op cancel(Resting order) {
            NavigableMap<Long, ArrayDeque<Resting>> book = order.buy ? bids : asks;
            ArrayDeque<Resting> queue = book.get(order.price);
            queue.remove(order);
            if (queue.isEmpty()) {
                book.remove(order.price);
            }
            forget(order);
            return new Op(Kind.CANCEL, order.account, order.orderId, order.buy, order.price, 0);
        }

        void forget(Resting order) {
            Resting last = live.remove(live.size() - 1);
            if (last != order) {
                live.set(order.liveIndex, last);
                last.liveIndex = order.liveIndex;
            }
        }
    }

    /** An order in the reference book. */
    private static final class Resting {
        final long orderId;
        final int account;
        final boolean buy;
        final long price;
        long remaining;
        int liveIndex;

        Resting(long orderId, int account, boolean buy, long price, long remaining) {
            this.orderId = orderId;
            this.account = account;
            this.buy = buy;
            this.price = price;
            this.remaining = remaining;
        }
    }
}
