package io.marketstream.protocol;

/** The side of an order; for a trade, the side of the aggressor (taker). */
public enum Side {
    BUY, SELL;

    public Side opposite() {
        return this == BUY ? SELL : BUY;
    }
}
