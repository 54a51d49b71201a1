package io.marketstream.protocol.event;

/** Why the engine refused a command. Stable names: clients match on them. */
public enum RejectReason {
    UNKNOWN_MARKET,
    INVALID_PRICE,
    INVALID_QUANTITY,
    PRICE_NOT_ON_TICK,
    QUANTITY_NOT_ON_LOT,
    QUANTITY_BELOW_MINIMUM,
    UNKNOWN_ORDER,
    NOT_ORDER_OWNER,
    INVALID_COMMAND,
    /** The command's record was not in its market's partition (its key must be the market). */
    WRONG_PARTITION
}
