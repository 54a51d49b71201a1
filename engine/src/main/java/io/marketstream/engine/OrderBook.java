package io.marketstream.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

import io.marketstream.protocol.Side;

/**
 * One market's resting orders with price-time priority: better price first, then earlier arrival.
 * Prices and quantities are scaled longs. Orders are indexed by id for O(1) lookup on cancel.
 * Single-threaded: the engine owns it.
 */
final class OrderBook {
    /** Levels in price priority with a price index (see {@link BookSide}), and the best of each side cached. */
    private final BookSide bids = new BookSide(Side.BUY);
    private final BookSide asks = new BookSide(Side.SELL);
    private final OrderIndex byId = new OrderIndex();

    /** The best level of a side (highest bid, lowest ask), or null if the side is empty. */
    PriceLevel best(Side side) {
        return sideOf(side).best();
    }

    /**
     * Takes {@code qty} from a resting order (a fill or a reduction). The order leaves the book when
     * nothing of it remains, and its level when the level empties.
     */
    void take(RestingOrder order, long qty) {
        PriceLevel level = order.level;
        level.reduce(order, qty);
        if (order.remaining == 0) {
            level.remove(order);
            byId.remove(order.orderId);
            if (level.isEmpty()) {
                sideOf(order.side).remove(level);
            }
        }
    }

    /**
     * How much an incoming order on {@code takerSide} could fill now against resting orders at
     * acceptable prices ({@code limit}), stopping at {@code wanted}. With {@code stopAtOwn} (self-trade
     * prevention that cancels the incoming order) counting stops at the first order of
     * {@code account}; otherwise that account's orders are skipped (they would be cancelled, not filled).
     */
    long fillable(Side takerSide, long limit, long wanted, long account, boolean stopAtOwn) {
        long found = 0;
        BookSide makers = sideOf(takerSide.opposite());
        for (int rank = 0, n = makers.size(); rank < n; rank++) {
            PriceLevel level = makers.fromBest(rank);
            if (!acceptable(takerSide, level.price, limit)) {
                break;
            }
            for (RestingOrder o = level.head(); o != null; o = o.next) {
                if (o.account == account) {
                    if (stopAtOwn) {
                        return found;
                    }
                    continue;
                }
                found += o.remaining;
                if (found >= wanted) {
                    return found;
                }
            }
        }
        return found;
    }

    /** Whether a taker on {@code takerSide} with limit {@code limit} may trade at {@code price}. */
    static boolean acceptable(Side takerSide, long price, long limit) {
        return takerSide == Side.BUY ? price <= limit : price >= limit;
    }

    void add(RestingOrder order) {
        byId.put(order);
        BookSide side = sideOf(order.side);
        PriceLevel level = side.get(order.price);
        if (level == null) {
            level = new PriceLevel(order.price);
            side.add(level);
        }
        level.append(order);
        order.level = level;
    }

    /** Every resting order in arrival order (ascending id), for snapshots. */
    List<RestingOrder> ordersById() {
        List<RestingOrder> all = new ArrayList<>(byId.size());
        byId.forEach(all::add);
        all.sort((a, b) -> Long.compare(a.orderId, b.orderId));
        return all;
    }

    RestingOrder find(long orderId) {
        return byId.get(orderId);
    }

    /** Removes a resting order; returns it, or null if it is not on the book. */
    RestingOrder remove(long orderId) {
        RestingOrder order = byId.remove(orderId);
        if (order == null) {
            return null;
        }
        PriceLevel level = order.level;
        level.remove(order);
        if (level.isEmpty()) {
            sideOf(order.side).remove(level);
        }
        return order;
    }

    /** Aggregated view of one side, best first: price to total quantity. */
    NavigableMap<Long, Long> levels(Side side) {
        NavigableMap<Long, Long> out = new TreeMap<>(side == Side.BUY ? Collections.reverseOrder() : null);
        BookSide levels = sideOf(side);
        for (int rank = 0, n = levels.size(); rank < n; rank++) {
            PriceLevel level = levels.fromBest(rank);
            out.put(level.price, level.totalQty());
        }
        return out;
    }

    int orderCount() {
        return byId.size();
    }

    /**
     * Checks the book's invariants and throws if one is broken: never crossed, each level's cached
     * total and count equal the sum over its orders, FIFO links consistent, the id index holds
     * exactly the resting orders, no empty level kept.
     */
    void validateInternalState() {
        PriceLevel bestBid = bids.best();
        PriceLevel bestAsk = asks.best();
        if (bestBid != null && bestAsk != null && bestBid.price >= bestAsk.price) {
            throw new IllegalStateException("book crossed: bid " + bestBid.price + " >= ask " + bestAsk.price);
        }
        int seen = 0;
        for (Side side : Side.values()) {
            BookSide levels = sideOf(side);
            levels.validateInternalState();
            for (int rank = 0, n = levels.size(); rank < n; rank++) {
                PriceLevel level = levels.fromBest(rank);
                if (level.isEmpty()) {
                    throw new IllegalStateException("empty level kept at " + level.price);
                }
                long total = 0;
                int count = 0;
                RestingOrder prev = null;
                for (RestingOrder o = level.head(); o != null; o = o.next) {
                    if (o.prev != prev || o.price != level.price || o.side != side || o.remaining <= 0
                            || o.level != level || byId.get(o.orderId) != o) {
                        throw new IllegalStateException("inconsistent order " + o.orderId + " at " + level.price);
                    }
                    total += o.remaining;
                    count++;
                    prev = o;
                }
                if (total != level.totalQty() || count != level.count()) {
                    throw new IllegalStateException("level " + level.price + " caches " + level.totalQty() + "/"
                            + level.count() + " but holds " + total + "/" + count);
                }
                seen += count;
            }
        }
        if (seen != byId.size()) {
            throw new IllegalStateException("id index holds " + byId.size() + " orders, levels hold " + seen);
        }
    }

    private BookSide sideOf(Side side) {
        return side == Side.BUY ? bids : asks;
    }
}
