package io.marketstream.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Exact decimals as scaled {@code long}s: {@code "123.45"} at scale 2 is {@code 12345}. Inside the
 * system prices and quantities are scaled longs; decimal strings appear only at the edges (command
 * JSON, event JSON, the wire). Parsing never rounds: a string with more fraction digits than the
 * scale allows is refused.
 *
 * <p>Formatting is canonical: always exactly {@code scale} fraction digits, so the same value is
 * always the same string (which the book checksum relies on).
 */
public final class ScaledDecimal {
    private static final long[] POWERS = new long[19];

    static {
        POWERS[0] = 1;
        for (int i = 1; i < POWERS.length; i++) {
            POWERS[i] = POWERS[i - 1] * 10;
        }
    }

    private ScaledDecimal() {
    }

    /** 10^scale. */
    public static long unit(int scale) {
        checkScale(scale);
        return POWERS[scale];
    }

    /**
     * Parses a plain decimal string ({@code -?digits[.digits]}) into a long scaled by {@code scale}.
     *
     * @throws NumberFormatException if the text is not a plain decimal, has more fraction digits
     *                               than {@code scale}, or does not fit a long once scaled
     */
    public static long parse(String text, int scale) {
        checkScale(scale);
        if (text == null || text.isEmpty() || text.length() > 40) {
            throw new NumberFormatException("not a decimal: " + abbreviate(text));
        }
        int i = 0;
        boolean negative = false;
        if (text.charAt(0) == '-') {
            negative = true;
            i = 1;
        }
        long value = 0;
        int fractionDigits = -1;
        int digits = 0;
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.') {
                if (fractionDigits >= 0 || digits == 0) {
                    throw new NumberFormatException("not a decimal: " + abbreviate(text));
                }
                fractionDigits = 0;
                continue;
            }
            if (c < '0' || c > '9') {
                throw new NumberFormatException("not a decimal: " + abbreviate(text));
            }
            if (fractionDigits >= 0 && ++fractionDigits > scale) {
                throw new NumberFormatException(abbreviate(text) + " has more than " + scale + " decimal places");
            }
            if (value > (Long.MAX_VALUE - 9) / 10) {
                throw new NumberFormatException(abbreviate(text) + " is out of range");
            }
            value = value * 10 + (c - '0');
            digits++;
        }
        if (digits == 0 || fractionDigits == 0) {
            throw new NumberFormatException("not a decimal: " + abbreviate(text));
        }
        try {
            long scaled = Math.multiplyExact(value, POWERS[scale - Math.max(fractionDigits, 0)]);
            return negative ? -scaled : scaled;
        } catch (ArithmeticException e) {
            throw new NumberFormatException(abbreviate(text) + " is out of range");
        }
    }

    /** Formats a scaled long with exactly {@code scale} fraction digits. */
    public static String format(long value, int scale) {
        checkScale(scale);
        if (value == Long.MIN_VALUE) {
            throw new ArithmeticException("cannot format Long.MIN_VALUE");
        }
        if (scale == 0) {
            return Long.toString(value);
        }
        // digits written right to left into one buffer: no intermediate strings (this is on the
        // engine's hot path, several times per event)
        byte[] buf = new byte[21 + scale];
        int pos = buf.length;
        long abs = Math.abs(value);
        for (int i = 0; i < scale; i++) {
            buf[--pos] = (byte) ('0' + abs % 10);
            abs /= 10;
        }
        buf[--pos] = '.';
        do {
            buf[--pos] = (byte) ('0' + abs % 10);
            abs /= 10;
        } while (abs != 0);
        if (value < 0) {
            buf[--pos] = '-';
        }
        return new String(buf, pos, buf.length - pos, StandardCharsets.ISO_8859_1);
    }

    /**
     * Writes {@link #format}'s text as ASCII bytes into {@code dest} from {@code pos} and returns the position
     * after it: the same characters without a string (book checksums write fifty of them per message).
     *
     * @throws ArrayIndexOutOfBoundsException if {@code dest} has fewer than {@link #MAX_LENGTH} bytes after {@code pos}
     */
    public static int write(long value, int scale, byte[] dest, int pos) {
        checkScale(scale);
        if (value == Long.MIN_VALUE) {
            throw new ArithmeticException("cannot format Long.MIN_VALUE");
        }
        long abs = Math.abs(value);
        int intDigits = 1;
        for (long rest = abs / POWERS[scale]; rest >= 10; rest /= 10) {
            intDigits++;
        }
        int length = (value < 0 ? 1 : 0) + intDigits + (scale == 0 ? 0 : scale + 1);
        int end = pos + length;
        int at = end;
        for (int i = 0; i < scale; i++) {
            dest[--at] = (byte) ('0' + abs % 10);
            abs /= 10;
        }
        if (scale > 0) {
            dest[--at] = '.';
        }
        do {
            dest[--at] = (byte) ('0' + abs % 10);
            abs /= 10;
        } while (abs != 0);
        if (value < 0) {
            dest[--at] = '-';
        }
        return end;
    }

    /** The longest text {@link #format} and {@link #write} produce: a sign, 19 digits and a point. */
    public static final int MAX_LENGTH = 21;

    private static void checkScale(int scale) {
        if (scale < 0 || scale > 18) {
            throw new IllegalArgumentException("scale must be 0..18, was " + scale);
        }
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() > 24 ? "\"" + text.substring(0, 24) + "…\"" : "\"" + text + "\"";
    }
}
