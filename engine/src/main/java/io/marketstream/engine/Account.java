package io.marketstream.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.LinkedHashMap;

/**
 * One account's funds in one market, in scaled units (base at the quantity scale, quote at the
 * market's quote scale), and its open orders. {@code locked} backs open orders exactly: the base
 * of its resting sells, and price × open quantity of its resting buys. Owned by one
 * {@link MarketMatcher}; single-threaded.
 */
final class Account {
    final long id;
    long baseAvailable;
    long baseLocked;
    long quoteAvailable;
    long quoteLocked;
    /**
     * Open orders in acceptance order, which is ascending id (ids are given in acceptance order), so
     * oldest first: cancel-all cancels in this order.
     */
    final Map<Long, RestingOrder> openOrders = new LinkedHashMap<>();
    /** Open orders by client order id (only those that have one). */
    final Map<String, RestingOrder> openByClientId = new HashMap<>();

    Account(long id) {
        this.id = id;
    }

    void addOpen(RestingOrder order) {
        openOrders.put(order.orderId, order);
        if (order.clientOrderId != null) {
            openByClientId.put(order.clientOrderId, order);
        }
    }

    void removeOpen(RestingOrder order) {
        openOrders.remove(order.orderId);
        if (order.clientOrderId != null) {
            openByClientId.remove(order.clientOrderId);
        }
    }
}
