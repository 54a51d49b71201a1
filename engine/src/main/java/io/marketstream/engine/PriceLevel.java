package io.marketstream.engine;

/**
 * The orders resting at one price, oldest first, with their total quantity and count cached so an
 * L2 read is O(1).
 */
final class PriceLevel {
    final long price;
    private RestingOrder head;
    private RestingOrder tail;
    private long totalQty;
    private int count;

    PriceLevel(long price) {
        this.price = price;
    }

    void append(RestingOrder order) {
        order.prev = tail;
        order.next = null;
        if (tail == null) {
            head = order;
        } else {
            tail.next = order;
        }
        tail = order;
        totalQty += order.remaining;
        count++;
    }

    void remove(RestingOrder order) {
        if (order.prev == null) {
            head = order.next;
        } else {
            order.prev.next = order.next;
        }
        if (order.next == null) {
            tail = order.prev;
        } else {
            order.next.prev = order.prev;
        }
        order.prev = null;
        order.next = null;
        totalQty -= order.remaining;
        count--;
    }

    /** Takes {@code qty} from an order of this level (a fill); the caller removes it when it reaches zero. */
    void reduce(RestingOrder order, long qty) {
        order.remaining -= qty;
        totalQty -= qty;
    }

    RestingOrder head() {
        return head;
    }

    long totalQty() {
        return totalQty;
    }

    int count() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }
}
