package io.marketstream.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The token reading shared by the readers that take the common case of a document the short way
 * ({@link io.marketstream.protocol.command.OrderCommandReader}, {@link io.marketstream.protocol.event.EngineEventReader}):
 * one pass over the bytes of a "plain" document, stricter than JSON where that keeps the proof simple.
 * One object, JSON whitespace around its tokens; names and strings in printable ASCII without escapes (so
 * their bytes are their characters); integers within {@code long} without fraction or exponent. Whatever else
 * it meets, it gives up by throwing {@link NotPlain}, and the reader hands the document to databind, which
 * decides as it always has and gives every refusal its reason.
 *
 * <p>A subclass holds the fields of one document; one instance reads one document, on one thread.
 */
public abstract class PlainJsonScanner {
    /** The document. */
    protected final byte[] b;
    /** The next byte to read. */
    protected int i;

    protected PlainJsonScanner(byte[] json) {
        this.b = json;
    }

    /** A string of printable ASCII without escapes, or null. */
    protected final String string() {
        if (next() == 'n') {
            literal("null");
            return null;
        }
        expect('"');
        int start = i;
        int end = plainText();
        i = end + 1;
        return new String(b, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /** The index of the closing quote of the text starting at {@link #i}. */
    protected final int plainText() {
        for (int k = i; k < b.length; k++) {
            int c = b[k];
            if (c == '"') {
                return k;
            }
            if (c < 0x20 || c > 0x7e || c == '\\') {
                throw NotPlain.INSTANCE;
            }
        }
        throw NotPlain.INSTANCE;
    }

    /** An integer within {@code long}, without a leading zero (JSON allows none). */
    protected final long number() {
        next();
        int sign = i;
        boolean negative = i < b.length && b[i] == '-';
        if (negative) {
            i++;
        }
        int start = i;
        long value = 0;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            value = value * 10 + (b[i] - '0');
            i++;
        }
        int digits = i - start;
        if (digits == 0 || digits > 19 || (digits > 1 && b[start] == '0')) {
            throw NotPlain.INSTANCE;
        }
        // a fraction or exponent is not plain either: the next token must be ',' or '}'
        if (digits == 19) {
            // may be out of range: NumberFormatException, not plain
            return Long.parseLong(new String(b, sign, i - sign, StandardCharsets.ISO_8859_1));
        }
        return negative ? -value : value;
    }

    /** {@code true} or {@code false} (for a {@code boolean}: null is databind's to refuse). */
    protected final boolean bool() {
        switch (next()) {
            case 't' -> {
                literal("true");
                return true;
            }
            case 'f' -> {
                literal("false");
                return false;
            }
            default -> throw NotPlain.INSTANCE;
        }
    }

    /** {@code true}, {@code false} or {@code null} (for a {@link Boolean}). */
    protected final Boolean boolOrNull() {
        if (next() == 'n') {
            literal("null");
            return null;
        }
        return bool();
    }

    /** The literal {@code word}, which must end where the next token starts. */
    protected final void literal(String word) {
        for (int k = 0; k < word.length(); k++) {
            if (i >= b.length || b[i++] != word.charAt(k)) {
                throw NotPlain.INSTANCE;
            }
        }
        // "nullx", "true1": the next token must be ',' or '}', which the caller checks
        int c = i < b.length ? b[i] : -1;
        if (c != ',' && c != '}' && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            throw NotPlain.INSTANCE;
        }
    }

    /** Skips JSON whitespace; the next byte (not consumed), or -1 at the end. */
    protected final int next() {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
        return i < b.length ? b[i] : -1;
    }

    /** The next token is {@code c}; consumes it. */
    protected final void expect(char c) {
        if (next() != c) {
            throw NotPlain.INSTANCE;
        }
        i++;
    }

    /** Thrown, without a stack trace, where a document leaves the plain shape. */
    public static final class NotPlain extends RuntimeException {
        public static final NotPlain INSTANCE = new NotPlain();

        private NotPlain() {
            super("not the plain shape", null, false, false);
        }
    }
}
