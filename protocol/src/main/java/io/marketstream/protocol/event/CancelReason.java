package io.marketstream.protocol.event;

public enum CancelReason {
    /** Its owner cancelled it. */
    USER,
    /** A market order found no more liquidity; the unfilled rest is cancelled. */
    NO_LIQUIDITY
}
