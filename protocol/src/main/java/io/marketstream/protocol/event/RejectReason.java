package io.marketstream.protocol.event;

/** Why the engine refused a command. Stable names: clients match on them. */
public enum RejectReason {
    UNKNOWN_MARKET,
    /** The account has never held funds in this market (or is not a valid account id). */
    UNKNOWN_ACCOUNT,
    /** The asset is neither the market's base nor its quote. */
    UNKNOWN_ASSET,
    /** Not a positive decimal with at most the market's price scale of fraction digits. */
    INVALID_PRICE,
    /** Not a positive decimal with at most the market's quantity scale of fraction digits. */
    INVALID_QUANTITY,
    /** A deposit or withdrawal amount that is not a positive decimal at the asset's scale. */
    INVALID_AMOUNT,
    PRICE_NOT_ON_TICK,
    QUANTITY_NOT_ON_LOT,
    QUANTITY_BELOW_MINIMUM,
    /** price × quantity below the market's minimum notional. */
    NOTIONAL_BELOW_MINIMUM,
    /** Above the market's maximum price: an absurd price, refused before it can overflow anything. */
    PRICE_TOO_HIGH,
    /** Above the market's maximum order quantity. */
    QUANTITY_TOO_LARGE,
    /** A limit price further from the last trade price than the market's price band allows. */
    PRICE_OUTSIDE_BAND,
    /** The account's available balance does not cover what the order locks or the withdrawal takes. */
    INSUFFICIENT_FUNDS,
    /** A post-only order would have traded on arrival. */
    POST_ONLY_WOULD_TAKE,
    /** The account already has an open order with this client order id in this market. */
    DUPLICATE_CLIENT_ORDER_ID,
    /** A reduce that is not smaller than the order's open quantity (cancel the order instead). */
    REDUCE_NOT_BELOW_REMAINING,
    UNKNOWN_ORDER,
    NOT_ORDER_OWNER,
    /** An id or text field longer than the engine accepts. */
    FIELD_TOO_LONG,
    /** A required field is missing, or fields contradict each other. */
    INVALID_COMMAND,
    /** The command's record was not in its market's partition (its key must be the market). */
    WRONG_PARTITION
}
