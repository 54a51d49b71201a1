package io.marketstream.engine;

/**
 * One market's open orders that carry a client order id, by (account, client order id): what the
 * duplicate check looks up on every order placed and what every fill or cancel that ends such an
 * order removes from.
 *
 * <p>Open addressing with linear probing over two parallel arrays: the key's hash, then the order
 * (which holds the key). A lookup reads the hash array first and touches an order (and its id
 * string) only when the full 32-bit hash matches, so a miss, the common case for a new order,
 * costs one or two cache lines and never reads a string. Removal finds the slot by the hash the
 * order keeps ({@link RestingOrder#clientIdHash}) and the order's identity, and shifts the rest of
 * its probe run back (no tombstones), so the table never degrades. One table for the whole market
 * rather than a {@code HashMap} per account: an account's map was a chain of nodes and strings
 * spread over the heap, and the probe sequence here stays in adjacent memory.
 *
 * <p>Nothing iterates this table into output, so its layout does not affect determinism.
 * Single-threaded, like its market.
 */
final class ClientOrderIndex {
    /** Marks a free slot; hashes are made non-zero. */
    private static final int FREE = 0;
    private static final int INITIAL_CAPACITY = 1024;

    private int[] hashes = new int[INITIAL_CAPACITY];
    private RestingOrder[] orders = new RestingOrder[INITIAL_CAPACITY];
    private int mask = INITIAL_CAPACITY - 1;
    private int size;

    /** The hash under which an account's client order id is filed (never {@link #FREE}). */
    static int hash(long account, String clientOrderId) {
        int h = clientOrderId.hashCode() * 0x9E3779B9 + Long.hashCode(account * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 16;
        return h == FREE ? 1 : h;
    }

    /** The account's open order with this client order id, or null. */
    RestingOrder find(long account, String clientOrderId) {
        int h = hash(account, clientOrderId);
        for (int slot = h & mask; ; slot = (slot + 1) & mask) {
            int stored = hashes[slot];
            if (stored == FREE) {
                return null;
            }
            if (stored == h) {
                RestingOrder o = orders[slot];
                if (o.account == account && o.clientOrderId.equals(clientOrderId)) {
                    return o;
                }
            }
        }
    }

    /** Files an open order that has a client order id its account has no other open order with. */
    void add(RestingOrder order) {
        int h = hash(order.account, order.clientOrderId);
        order.clientIdHash = h;
        if (size + 1 > (mask + 1) >>> 1) {
            grow();
        }
        insert(h, order);
        size++;
    }

    /** Removes an order filed by {@link #add}. */
    void remove(RestingOrder order) {
        int h = order.clientIdHash;
        int slot = h & mask;
        while (orders[slot] != order) {
            if (hashes[slot] == FREE) {
                throw new IllegalStateException("order " + order.orderId + " is not in the client order id index");
            }
            slot = (slot + 1) & mask;
        }
        // backward-shift deletion: move later members of the probe run into the hole when their
        // home slot does not lie cyclically in (hole, their slot]
        int hole = slot;
        for (int next = (hole + 1) & mask; hashes[next] != FREE; next = (next + 1) & mask) {
            int home = hashes[next] & mask;
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                hashes[hole] = hashes[next];
                orders[hole] = orders[next];
                hole = next;
            }
        }
        hashes[hole] = FREE;
        orders[hole] = null;
        size--;
    }

    int size() {
        return size;
    }

    private void insert(int h, RestingOrder order) {
        int slot = h & mask;
        while (hashes[slot] != FREE) {
            slot = (slot + 1) & mask;
        }
        hashes[slot] = h;
        orders[slot] = order;
    }

    private void grow() {
        int[] oldHashes = hashes;
        RestingOrder[] oldOrders = orders;
        int capacity = oldHashes.length * 2;
        hashes = new int[capacity];
        orders = new RestingOrder[capacity];
        mask = capacity - 1;
        for (int i = 0; i < oldHashes.length; i++) {
            if (oldHashes[i] != FREE) {
                insert(oldHashes[i], oldOrders[i]);
            }
        }
    }
}
