package io.marketstream.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import io.marketstream.protocol.Side;

/**
 * One market's resting orders with price-time priority: better price first, then earlier arrival.
 * Prices and quantities are scaled longs. Orders are indexed by id for O(1) lookup on cancel.
 * Single-threaded: the engine owns it.
 */
final class OrderBook {
    private final NavigableMap<Long, PriceLevel> bids = new TreeMap<>(Collections.reverseOrder());
    private final NavigableMap<Long, PriceLevel> asks = new TreeMap<>();
    private final Map<Long, RestingOrder> byId = new HashMap<>();

    /** A fill found by {@link #match}: {@code qty} of {@code maker} at the maker's price. */
    record Fill(long makerOrderId, long makerAccount, long price, long qty) {
    }

    /**
     * Matches an incoming order against the opposite side, best price first and oldest first within
     * a price, while the opposite price is acceptable ({@code limit}; {@code Long.MAX_VALUE} or 0
     * for a market buy or sell) and quantity remains. Filled makers leave the book.
     *
     * @return the fills in the order they happened
     */
    List<Fill> match(Side takerSide, long limit, long qty) {
        NavigableMap<Long, PriceLevel> opposite = sideOf(takerSide.opposite());
        List<Fill> fills = new ArrayList<>(4);
        long left = qty;
        while (left > 0 && !opposite.isEmpty()) {
            PriceLevel level = opposite.firstEntry().getValue();
            boolean acceptable = takerSide == Side.BUY ? level.price <= limit : level.price >= limit;
            if (!acceptable) {
                break;
            }
            while (left > 0 && !level.isEmpty()) {
                RestingOrder maker = level.head();
                long fillQty = Math.min(left, maker.remaining);
                level.reduce(maker, fillQty);
                left -= fillQty;
                fills.add(new Fill(maker.orderId, maker.account, level.price, fillQty));
                if (maker.remaining == 0) {
                    level.remove(maker);
                    byId.remove(maker.orderId);
                }
            }
            if (level.isEmpty()) {
                opposite.pollFirstEntry();
            }
        }
        return fills;
    }

    void add(RestingOrder order) {
        if (byId.putIfAbsent(order.orderId, order) != null) {
            throw new IllegalStateException("order " + order.orderId + " is already on the book");
        }
        sideOf(order.side).computeIfAbsent(order.price, PriceLevel::new).append(order);
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
        NavigableMap<Long, PriceLevel> side = sideOf(order.side);
        PriceLevel level = side.get(order.price);
        level.remove(order);
        if (level.isEmpty()) {
            side.remove(order.price);
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
                            || byId.get(o.orderId) != o) {
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

    private NavigableMap<Long, PriceLevel> sideOf(Side side) {
        return side == Side.BUY ? bids : asks;
    }
}
