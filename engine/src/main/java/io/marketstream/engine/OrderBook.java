package io.marketstream.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import org.eclipse.collections.impl.map.mutable.primitive.LongObjectHashMap;

import io.marketstream.protocol.Side;

/**
 * One market's resting orders with price-time priority: better price first, then earlier arrival.
 * Prices and quantities are scaled longs. Orders are indexed by id for O(1) lookup on cancel.
 * Single-threaded: the engine owns it.
 */
final class OrderBook {
    private final NavigableMap<Long, PriceLevel> bids = new TreeMap<>(Collections.reverseOrder());
    private final NavigableMap<Long, PriceLevel> asks = new TreeMap<>();
    /**
     * The same levels by price, for the lookup of every order placed: a few thousand entries in
     * primitive arrays, where the tree is a descent through boxed keys. The trees keep the order.
     */
    private final LongObjectHashMap<PriceLevel> bidsByPrice = new LongObjectHashMap<>();
    private final LongObjectHashMap<PriceLevel> asksByPrice = new LongObjectHashMap<>();
    /** The first level of each tree (null when the side is empty), read by every match step. */
    private PriceLevel bestBid;
    private PriceLevel bestAsk;
    private final OrderIndex byId = new OrderIndex();

    /** The best level of a side (highest bid, lowest ask), or null if the side is empty. */
    PriceLevel best(Side side) {
        return side == Side.BUY ? bestBid : bestAsk;
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
                removeLevel(order.side, level);
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
        for (PriceLevel level : sideOf(takerSide.opposite()).values()) {
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
        boolean buy = order.side == Side.BUY;
        LongObjectHashMap<PriceLevel> byPrice = buy ? bidsByPrice : asksByPrice;
        PriceLevel level = byPrice.get(order.price);
        if (level == null) {
            level = new PriceLevel(order.price);
            byPrice.put(order.price, level);
            sideOf(order.side).put(order.price, level);
            PriceLevel best = buy ? bestBid : bestAsk;
            if (best == null || (buy ? order.price > best.price : order.price < best.price)) {
                if (buy) {
                    bestBid = level;
                } else {
                    bestAsk = level;
                }
            }
        }
        level.append(order);
        order.level = level;
    }

    private void removeLevel(Side side, PriceLevel level) {
        NavigableMap<Long, PriceLevel> tree = sideOf(side);
        tree.remove(level.price);
        if (side == Side.BUY) {
            bidsByPrice.remove(level.price);
            if (bestBid == level) {
                bestBid = tree.isEmpty() ? null : tree.firstEntry().getValue();
            }
        } else {
            asksByPrice.remove(level.price);
            if (bestAsk == level) {
                bestAsk = tree.isEmpty() ? null : tree.firstEntry().getValue();
            }
        }
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
            removeLevel(order.side, level);
        }
        return order;
    }

    /** Aggregated view of one side, best first: price to total quantity. */
    NavigableMap<Long, Long> levels(Side side) {
        NavigableMap<Long, Long> out = new TreeMap<>(side == Side.BUY ? Collections.reverseOrder() : null);
        for (PriceLevel level : sideOf(side).values()) {
            out.put(level.price, level.totalQty());
        }
        return out;
    }

    long bestPrice(Side side) {
        NavigableMap<Long, PriceLevel> levels = sideOf(side);
        return levels.isEmpty() ? 0 : levels.firstKey();
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
        if (!bids.isEmpty() && !asks.isEmpty() && bids.firstKey() >= asks.firstKey()) {
            throw new IllegalStateException("book crossed: bid " + bids.firstKey() + " >= ask " + asks.firstKey());
        }
        int seen = 0;
        for (Side side : Side.values()) {
            for (Map.Entry<Long, PriceLevel> entry : sideOf(side).entrySet()) {
                PriceLevel level = entry.getValue();
                if (level.isEmpty()) {
                    throw new IllegalStateException("empty level kept at " + entry.getKey());
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
        for (Side side : Side.values()) {
            NavigableMap<Long, PriceLevel> tree = sideOf(side);
            LongObjectHashMap<PriceLevel> byPrice = side == Side.BUY ? bidsByPrice : asksByPrice;
            PriceLevel best = best(side);
            if (byPrice.size() != tree.size() || best != (tree.isEmpty() ? null : tree.firstEntry().getValue())) {
                throw new IllegalStateException(side + " levels: " + tree.size() + " in order, " + byPrice.size()
                        + " by price, best cached as " + (best == null ? "none" : best.price));
            }
            for (PriceLevel level : tree.values()) {
                if (byPrice.get(level.price) != level) {
                    throw new IllegalStateException(side + " level " + level.price + " is missing from the price index");
                }
            }
        }
        if (seen != byId.size()) {
            throw new IllegalStateException("id index holds " + byId.size() + " orders, levels hold " + seen);
        }
    }

    private NavigableMap<Long, PriceLevel> sideOf(Side side) {
        return side == Side.BUY ? bids : asks;
    }
}
