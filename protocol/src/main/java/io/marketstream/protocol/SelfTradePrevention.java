package io.marketstream.protocol;

/** What happens when an order would trade against a resting order of the same account. */
public enum SelfTradePrevention {
    /** Cancel the incoming order's rest; the resting order stays. */
    CANCEL_NEWEST,
    /** Cancel the resting order and keep matching the incoming one. */
    CANCEL_OLDEST,
    /** Cancel both. */
    CANCEL_BOTH
}
