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

    /*
     * The last text each balance was published as and the value it was of: a fill usually changes
     * two of an account's four balances, so the other two are published again unchanged and need
     * not be formatted again. Fields of the account rather than arrays beside it, so publishing a
     * balance reads the account's own cache lines and no other object.
     */
    private String baseAvailableText;
    private long baseAvailableShown;
    private String baseLockedText;
    private long baseLockedShown;
    private String quoteAvailableText;
    private long quoteAvailableShown;
    private String quoteLockedText;
    private long quoteLockedShown;

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

    /** The decimal text of {@link #baseAvailable}, formatted by {@code format} (the base scale's) when it changed. */
    String baseAvailableText(DecimalCache format) {
        if (baseAvailableText == null || baseAvailableShown != baseAvailable) {
            baseAvailableText = format.formatFresh(baseAvailable);
            baseAvailableShown = baseAvailable;
        }
        return baseAvailableText;
    }

    /** The decimal text of {@link #baseLocked}, as {@link #baseAvailableText}. */
    String baseLockedText(DecimalCache format) {
        if (baseLockedText == null || baseLockedShown != baseLocked) {
            baseLockedText = format.formatFresh(baseLocked);
            baseLockedShown = baseLocked;
        }
        return baseLockedText;
    }

    /** The decimal text of {@link #quoteAvailable}, formatted by {@code format} (the quote scale's) when it changed. */
    String quoteAvailableText(DecimalCache format) {
        if (quoteAvailableText == null || quoteAvailableShown != quoteAvailable) {
            quoteAvailableText = format.formatFresh(quoteAvailable);
            quoteAvailableShown = quoteAvailable;
        }
        return quoteAvailableText;
    }

    /** The decimal text of {@link #quoteLocked}, as {@link #quoteAvailableText}. */
    String quoteLockedText(DecimalCache format) {
        if (quoteLockedText == null || quoteLockedShown != quoteLocked) {
            quoteLockedText = format.formatFresh(quoteLocked);
            quoteLockedShown = quoteLocked;
        }
        return quoteLockedText;
    }
}
