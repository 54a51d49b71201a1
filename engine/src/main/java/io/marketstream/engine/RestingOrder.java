package io.marketstream.engine;

import io.marketstream.protocol.Side;

/**
 * An order resting on the book. It is a node of its price level's FIFO queue (the links make a
 * cancel O(1) once the order is found through the book's id index). Mutable, owned by one
 * {@link OrderBook}.
 */
final class RestingOrder {
    final long orderId;
    final long account;
    /** The owner's funds and open-order list, reached without a lookup on every fill and cancel. */
    final Account owner;
    final String clientOrderId;
    final Side side;
    final long price;
    long remaining;
    /** The level it rests at, while on the book (set by {@link OrderBook#add}). */
    PriceLevel level;
    RestingOrder prev;
    RestingOrder next;
    /** Links of the owner's list of open orders (see {@link Account}). */
    RestingOrder accountPrev;
    RestingOrder accountNext;
    /** Where {@link ClientOrderIndex} filed it (set there; only for orders with a client order id). */
    int clientIdHash;

    RestingOrder(long orderId, Account owner, String clientOrderId, Side side, long price, long remaining) {
        this.orderId = orderId;
        this.account = owner.id;
        this.owner = owner;
        this.clientOrderId = clientOrderId;
        this.side = side;
        this.price = price;
        this.remaining = remaining;
    }
}
