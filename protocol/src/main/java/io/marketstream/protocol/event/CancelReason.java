package io.marketstream.protocol.event;

/** Why an order ended with quantity unfilled. Stable names: clients match on them. */
public enum CancelReason {
    /** Its owner cancelled it (cancel or cancel-all). */
    USER,
    /** A market order found no more liquidity within the price band; the unfilled rest is cancelled. */
    NO_LIQUIDITY,
    /** The unfilled rest of an immediate-or-cancel order. */
    IMMEDIATE_OR_CANCEL,
    /** A fill-or-kill order that could not fill completely on arrival; nothing of it traded. */
    FILL_OR_KILL,
    /** Self-trade prevention: the order would have traded with another order of the same account. */
    SELF_TRADE,
    /** A market order ran out of funds before it was filled. */
    INSUFFICIENT_FUNDS
}
