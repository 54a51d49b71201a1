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

    /**
     * The last text each balance was published as ({@link #BASE_AVAILABLE} … {@link #QUOTE_LOCKED})
     * and the value it was of: a fill usually changes two of an account's four balances, so the
     * other two are published again unchanged and need not be formatted again.
     */
    private final long[] publishedValues = new long[4];
    private final String[] publishedTexts = new String[4];
    static final int BASE_AVAILABLE = 0;
    static final int BASE_LOCKED = 1;
    static final int QUOTE_AVAILABLE = 2;
    static final int QUOTE_LOCKED = 3;

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

    /** The decimal text of one of this account's balances ({@link #BASE_AVAILABLE} …) now worth {@code value}. */
    String balanceText(int balance, long value, DecimalCache format) {
        String text = publishedTexts[balance];
        if (text == null || publishedValues[balance] != value) {
            text = format.formatFresh(value);
            publishedTexts[balance] = text;
            publishedValues[balance] = value;
        }
        return text;
    }
}
