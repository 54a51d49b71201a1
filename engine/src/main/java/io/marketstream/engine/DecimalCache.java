package io.marketstream.engine;

import io.marketstream.protocol.ScaledDecimal;

/**
 * Formatted decimal strings of recently seen scaled values, direct-mapped: prices and order sizes
 * repeat constantly (a level's price is formatted on every event at it), so most events reuse a
 * string instead of formatting one. Single-threaded, like its engine.
 */
final class DecimalCache {
    private static final int SIZE = 4096;
    private final int scale;
    private final long[] keys = new long[SIZE];
    private final String[] values = new String[SIZE];

    DecimalCache(int scale) {
        this.scale = scale;
    }

    String format(long value) {
        int slot = (int) (value ^ (value >>> 32)) & (SIZE - 1);
        String cached = values[slot];
        if (cached != null && keys[slot] == value) {
            return cached;
        }
        String text = ScaledDecimal.format(value, scale);
        keys[slot] = value;
        values[slot] = text;
        return text;
    }
}
