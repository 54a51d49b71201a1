package io.marketstream.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * One account's funds in one market, in scaled units (base at the quantity scale, quote at the
 * market's quote scale), and its open orders. {@code locked} backs open orders exactly: the base
 * of its resting sells, and price × open quantity of its resting buys. Owned by one
 * {@link MarketMatcher}; single-threaded.
 *
 * <p>Open orders form an intrusive list through {@link RestingOrder#accountPrev}/{@code accountNext},
 * in acceptance order, which is ascending id (ids are given in acceptance order), so oldest first:
 * adding and removing one is O(1) without hashing, and cancel-all cancels in this order.
 */
final class Account {
    final long id;
    long baseAvailable;
    long baseLocked;
    long quoteAvailable;
    long quoteLocked;
    private RestingOrder oldest;
    private RestingOrder newest;
    private int openCount;
    /** Its market's open orders by (account, client order id), shared by the market's accounts. */
    private final ClientOrderIndex clientIds;

    Account(long id, ClientOrderIndex clientIds) {
        this.id = id;
        this.clientIds = clientIds;
    }

    void addOpen(RestingOrder order) {
        order.accountPrev = newest;
        order.accountNext = null;
        if (newest == null) {
            oldest = order;
        } else {
            newest.accountNext = order;
        }
        newest = order;
        openCount++;
        if (order.clientOrderId != null) {
            clientIds.add(order);
        }
    }

    void removeOpen(RestingOrder order) {
        if (order.accountPrev == null) {
            oldest = order.accountNext;
        } else {
            order.accountPrev.accountNext = order.accountNext;
        }
        if (order.accountNext == null) {
            newest = order.accountPrev;
        } else {
            order.accountNext.accountPrev = order.accountPrev;
        }
        order.accountPrev = null;
        order.accountNext = null;
        openCount--;
        if (order.clientOrderId != null) {
            clientIds.remove(order);
        }
    }

    boolean hasOpenClientOrderId(String clientOrderId) {
        return clientIds.find(id, clientOrderId) != null;
    }

    int openCount() {
        return openCount;
    }

    /** A copy of the open orders, oldest first. */
    List<RestingOrder> openOrders() {
        List<RestingOrder> all = new ArrayList<>(openCount);
        for (RestingOrder o = oldest; o != null; o = o.accountNext) {
            all.add(o);
        }
        return all;
    }
}
