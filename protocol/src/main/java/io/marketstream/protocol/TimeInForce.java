package io.marketstream.protocol;

/** How long a limit order's unfilled rest may live. */
public enum TimeInForce {
    /** Good till cancelled: the rest stays on the book. */
    GTC,
    /** Immediate or cancel: fill what matches now, cancel the rest. */
    IOC,
    /** Fill or kill: fill all of it now, or none of it. */
    FOK
}
