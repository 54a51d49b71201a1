package io.marketstream.engine;

/**
 * One market's open orders that carry a client order id, by (account, client order id): what the
 * duplicate check looks up on every order placed and what every fill or cancel that ends such an
 * order removes from.
 *
 * <p>Open addressing with linear probing over one {@code long[]} of (hash, order id) pairs, so a
 * slot is one 16-byte cell and a probe reads one cache line: a lookup touches an order (through the
 * book's {@link OrderIndex}) and its id string only when the full 32-bit hash matches, so a miss, the
 * common case for a new order, costs one cache line of the table and never reads a string; filing
 * the new order then writes the line the lookup just read. Removal finds the cell by the hash the
 * order keeps ({@link RestingOrder#clientIdHash}) and its order id (unique among open orders), and
 * shifts the rest of its probe run back (no tombstones), so the table never degrades. (The table
 * held the hashes and the orders in two arrays before: two cache misses per lookup, insert and
 * removal at a 200,000-order book instead of one.) One table for the whole market rather than a
 * {@code HashMap} per account: an account's map was a chain of nodes and strings spread over the
 * heap, and the probe sequence here stays in adjacent memory.
 *
 * <p>Orders are filed after they are on the book ({@link OrderIndex}) and removed in any order
 * relative to it. Nothing iterates this table into output, so its layout does not affect
 * determinism. Single-threaded, like its market.
 */
final class ClientOrderIndex {
    /** Marks a free cell; hashes are made non-zero. */
    private static final int FREE = 0;
    private static final int INITIAL_CAPACITY = 1024;

    /** The book's orders by id, to read the key of a cell whose hash matches. */
    private final OrderIndex orders;
    /** Cell {@code i} is {@code cells[2i]} (the hash, {@link #FREE} if empty) and {@code cells[2i + 1]} (the order id). */
    private long[] cells = new long[2 * INITIAL_CAPACITY];
    private int mask = INITIAL_CAPACITY - 1;
    private int size;

    ClientOrderIndex(OrderIndex orders) {
        this.orders = orders;
    }

    /** The hash under which an account's client order id is filed (never {@link #FREE}). */
    static int hash(long account, String clientOrderId) {
        int h = clientOrderId.hashCode() * 0x9E3779B9 + Long.hashCode(account * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 16;
        return h == FREE ? 1 : h;
    }

    /** The account's open order with this client order id, or null. */
    RestingOrder find(long account, String clientOrderId) {
        int h = hash(account, clientOrderId);
        long[] cells = this.cells;
        for (int slot = h & mask; ; slot = (slot + 1) & mask) {
            int stored = (int) cells[2 * slot];
            if (stored == FREE) {
                return null;
            }
            if (stored == h) {
                RestingOrder o = orders.get(cells[2 * slot + 1]);
                if (o.account == account && o.clientOrderId.equals(clientOrderId)) {
                    return o;
                }
            }
        }
    }

    /**
     * Files an open order, already on the book, that has a client order id its account has no other
     * open order with.
     */
    void add(RestingOrder order) {
        int h = hash(order.account, order.clientOrderId);
        order.clientIdHash = h;
        if (size + 1 > (mask + 1) >>> 1) {
            grow();
        }
        insert(h, order.orderId);
        size++;
    }

    /** Removes an order filed by {@link #add}. */
    void remove(RestingOrder order) {
        long[] cells = this.cells;
        int h = order.clientIdHash;
        long id = order.orderId;
        int slot = h & mask;
        while ((int) cells[2 * slot] != h || cells[2 * slot + 1] != id) {
            if ((int) cells[2 * slot] == FREE) {
                throw new IllegalStateException("order " + id + " is not in the client order id index");
            }
            slot = (slot + 1) & mask;
        }
        // backward-shift deletion: move later members of the probe run into the hole when their
        // home slot does not lie cyclically in (hole, their slot]
        int hole = slot;
        for (int next = (hole + 1) & mask; (int) cells[2 * next] != FREE; next = (next + 1) & mask) {
            int home = (int) cells[2 * next] & mask;
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                cells[2 * hole] = cells[2 * next];
                cells[2 * hole + 1] = cells[2 * next + 1];
                hole = next;
            }
        }
        cells[2 * hole] = FREE;
        cells[2 * hole + 1] = 0;
        size--;
    }

    int size() {
        return size;
    }

    private void insert(int h, long orderId) {
        int slot = h & mask;
        while ((int) cells[2 * slot] != FREE) {
            slot = (slot + 1) & mask;
        }
        cells[2 * slot] = h;
        cells[2 * slot + 1] = orderId;
    }

    private void grow() {
        long[] old = cells;
        int capacity = old.length;
        cells = new long[2 * capacity];
        mask = capacity - 1;
        for (int i = 0; i < old.length; i += 2) {
            if ((int) old[i] != FREE) {
                insert((int) old[i], old[i + 1]);
            }
        }
    }
}
