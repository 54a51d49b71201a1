package io.marketstream.engine;

import java.nio.charset.StandardCharsets;

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
    private final byte[] scratch = new byte[ScaledDecimal.MAX_FORMATTED_LENGTH];

    DecimalCache(int scale) {
        this.scale = scale;
    }

    String format(long value) {
        int slot = (int) (value ^ (value >>> 32)) & (SIZE - 1);
        String cached = values[slot];
        if (cached != null && keys[slot] == value) {
            return cached;
        }
        String text = formatFresh(value);
        keys[slot] = value;
        values[slot] = text;
        return text;
    }

    private String formatFresh(long value) {
        int start = ScaledDecimal.formatInto(value, scale, scratch);
        return new String(scratch, start, scratch.length - start, StandardCharsets.ISO_8859_1);
    }
}
