package io.marketstream.engine;

import org.eclipse.collections.impl.map.mutable.primitive.LongObjectHashMap;

/**
 * A market's resting orders by order id, for the O(1) lookup of a cancel, reduction or fill.
 *
 * <p>The engine gives ids in acceptance order (1, 2, 3, … per market), so the index is paged by id
 * rather than hashed: a page holds the orders of {@value #PAGE_SIZE} consecutive ids in an array
 * slot per id, and a small map finds the page. A lookup is the page map (a few thousand entries at
 * most in practice, so it stays in cache) and one array slot; an insert writes next to the
 * previous one; nothing is ever rehashed. A page is dropped when its last order leaves, so memory
 * follows the live orders: at worst one page (about 1 KiB) per resting order when every other id of
 * its page has gone, typically a few bytes per id placed recently. Any positive id works (a snapshot
 * may hold arbitrary ones), only the layout is tuned for consecutive ids.
 *
 * <p>Iteration order is not exposed: callers that need an order sort by id. Single-threaded.
 */
final class OrderIndex {
    private static final int PAGE_BITS = 8;
    static final int PAGE_SIZE = 1 << PAGE_BITS;
    private static final int SLOT_MASK = PAGE_SIZE - 1;

    /** The orders of one block of {@link #PAGE_SIZE} consecutive ids, and how many there are. */
    private static final class Page {
        final RestingOrder[] slots = new RestingOrder[PAGE_SIZE];
        int count;
    }

    private final LongObjectHashMap<Page> pages = new LongObjectHashMap<>();
    /** The page last used, which the next insert or lookup of a recent id usually wants again. */
    private Page lastPage;
    private long lastPageNumber = -1;
    private int size;

    RestingOrder get(long orderId) {
        Page page = page(orderId >>> PAGE_BITS);
        return page == null ? null : page.slots[(int) orderId & SLOT_MASK];
    }

    boolean contains(long orderId) {
        return get(orderId) != null;
    }

    /** Files an order under its id, which no order on the index has. */
    void put(RestingOrder order) {
        long number = order.orderId >>> PAGE_BITS;
        Page page = page(number);
        if (page == null) {
            page = new Page();
            pages.put(number, page);
            lastPage = page;
            lastPageNumber = number;
        }
        int slot = (int) order.orderId & SLOT_MASK;
        if (page.slots[slot] != null) {
            throw new IllegalStateException("order " + order.orderId + " is already on the book");
        }
        page.slots[slot] = order;
        page.count++;
        size++;
    }

    /** Removes the order with this id and returns it, or null if there is none. */
    RestingOrder remove(long orderId) {
        long number = orderId >>> PAGE_BITS;
        Page page = page(number);
        if (page == null) {
            return null;
        }
        int slot = (int) orderId & SLOT_MASK;
        RestingOrder order = page.slots[slot];
        if (order == null) {
            return null;
        }
        page.slots[slot] = null;
        size--;
        if (--page.count == 0) {
            pages.remove(number);
            if (lastPage == page) {
                lastPage = null;
                lastPageNumber = -1;
            }
        }
        return order;
    }

    int size() {
        return size;
    }

    /** Calls {@code action} for every order, in no particular order. */
    void forEach(java.util.function.Consumer<RestingOrder> action) {
        pages.forEachValue(page -> {
            for (RestingOrder order : page.slots) {
                if (order != null) {
                    action.accept(order);
                }
            }
        });
    }

    private Page page(long number) {
        if (number == lastPageNumber) {
            return lastPage;
        }
        Page page = pages.get(number);
        if (page != null) {
            lastPage = page;
            lastPageNumber = number;
        }
        return page;
    }
}
