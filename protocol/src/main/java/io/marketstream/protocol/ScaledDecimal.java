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
    /** The longest text {@link #format} produces: sign, 19 digits and a point. */
    public static final int MAX_FORMATTED_LENGTH = 21;
    private static final byte[] DIGIT_TENS = new byte[100];
    private static final byte[] DIGIT_ONES = new byte[100];

    static {
        POWERS[0] = 1;
        for (int i = 1; i < POWERS.length; i++) {
            POWERS[i] = POWERS[i - 1] * 10;
        }
        for (int i = 0; i < 100; i++) {
            DIGIT_TENS[i] = (byte) ('0' + i / 10);
            DIGIT_ONES[i] = (byte) ('0' + i % 10);
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
        if (scale == 0) {
            checkFormattable(value);
            return Long.toString(value);
        }
        byte[] buf = new byte[MAX_FORMATTED_LENGTH];
        int start = formatInto(value, scale, buf);
        return new String(buf, start, buf.length - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * Formats like {@link #format(long, int)}, into a caller's scratch buffer, for a caller that
     * formats many values on one thread (the engine, several times per event): the text fills
     * {@code buf} from the returned index to its end, so {@code new String(buf, start, buf.length
     * - start, ISO_8859_1)} is {@code format(value, scale)} with one allocation fewer.
     *
     * @param buf at least {@link #MAX_FORMATTED_LENGTH} bytes
     * @return the index of the text's first byte
     */
    public static int formatInto(long value, int scale, byte[] buf) {
        checkScale(scale);
        checkFormattable(value);
        // digits written right to left, two at a time where two are left: no intermediate strings
        int pos = buf.length;
        long abs = Math.abs(value);
        int fraction = scale;
        while (fraction >= 2) {
            int pair = (int) (abs % 100);
            abs /= 100;
            buf[--pos] = DIGIT_ONES[pair];
            buf[--pos] = DIGIT_TENS[pair];
            fraction -= 2;
        }
        if (fraction == 1) {
            buf[--pos] = (byte) ('0' + abs % 10);
            abs /= 10;
        }
        if (scale > 0) {
            buf[--pos] = '.';
        }
        while (abs >= 100) {
            int pair = (int) (abs % 100);
            abs /= 100;
            buf[--pos] = DIGIT_ONES[pair];
            buf[--pos] = DIGIT_TENS[pair];
        }
        if (abs >= 10) {
            buf[--pos] = DIGIT_ONES[(int) abs];
            buf[--pos] = DIGIT_TENS[(int) abs];
        } else {
            buf[--pos] = (byte) ('0' + abs);
        }
        if (value < 0) {
            buf[--pos] = '-';
        }
        return pos;
    }

    private static void checkFormattable(long value) {
        if (value == Long.MIN_VALUE) {
            throw new ArithmeticException("cannot format Long.MIN_VALUE");
        }
    }

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
