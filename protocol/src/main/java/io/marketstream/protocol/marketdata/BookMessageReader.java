package io.marketstream.protocol.marketdata;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.marketstream.protocol.Json;

/**
 * Reads a {@link BookMessage} as databind does ({@code Json.read(text, BookMessage.class)}), about twice as fast
 * for the documents our writers produce: a book message is most of what a client receives, and databind's
 * creator-based record path with array-shaped levels costs more than the message is worth.
 *
 * <p>The short way is Jackson's streaming parser over a document of the plain shape: one object, each known
 * field once and of its exact JSON type, levels as two-string arrays, unknown fields skipped (as databind
 * ignores them), nothing after the object. Any other document (a missing or repeated field, a number where a
 * string belongs, a {@code null}, malformed or truncated text) goes to databind, which therefore decides every
 * refusal and its reason.
 */
public final class BookMessageReader {
    private static final int CH = 1, TYPE = 2, FIRST = 4, LAST = 8, BIDS = 16, ASKS = 32, CS = 64, TS = 128,
            RESYNC = 256;
    private static final int REQUIRED = CH | TYPE | FIRST | LAST | BIDS | ASKS | CS | TS;

    private BookMessageReader() {
    }

    /** @throws IllegalArgumentException with databind's reason, for malformed or mistyped input */
    public static BookMessage read(String text) {
        try (JsonParser parser = Json.mapper().getFactory().createParser(text)) {
            BookMessage message = shortWay(parser);
            if (message != null) {
                return message;
            }
        } catch (IOException e) {
            // not the plain shape (or not JSON at all): databind says why
        }
        return Json.read(text, BookMessage.class);
    }

    private static BookMessage shortWay(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        int seen = 0;
        String channel = null, type = null, resync = null;
        long first = 0, last = 0, checksum = 0, ts = 0;
        List<PriceLevel> bids = null, asks = null;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            int field = field(name);
            if ((seen & field) != 0) {
                return null;
            }
            seen |= field;
            switch (field) {
                case CH, TYPE, RESYNC -> {
                    if (value != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    String text = parser.getText();
                    if (field == CH) {
                        channel = text;
                    } else if (field == TYPE) {
                        type = text;
                    } else {
                        resync = text;
                    }
                }
                case FIRST, LAST, CS, TS -> {
                    if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
                            && parser.getNumberType() != JsonParser.NumberType.LONG) {
                        return null;
                    }
                    long number = parser.getLongValue();
                    if (field == FIRST) {
                        first = number;
                    } else if (field == LAST) {
                        last = number;
                    } else if (field == CS) {
                        checksum = number;
                    } else {
                        ts = number;
                    }
                }
                case BIDS, ASKS -> {
                    List<PriceLevel> levels = levels(parser, value);
                    if (levels == null) {
                        return null;
                    }
                    if (field == BIDS) {
                        bids = levels;
                    } else {
                        asks = levels;
                    }
                }
                default -> parser.skipChildren();
            }
        }
        if (token != JsonToken.END_OBJECT || (seen & REQUIRED) != REQUIRED || parser.nextToken() != null) {
            return null;
        }
        return new BookMessage(channel, type, first, last, bids, asks, checksum, ts, resync);
    }

    private static int field(String name) {
        return switch (name) {
            case "ch" -> CH;
            case "type" -> TYPE;
            case "U" -> FIRST;
            case "u" -> LAST;
            case "bids" -> BIDS;
            case "asks" -> ASKS;
            case "cs" -> CS;
            case "ts" -> TS;
            case "resync" -> RESYNC;
            default -> 0;
        };
    }

    /** {@code [["px","qty"],...]}, or null for anything else. */
    private static List<PriceLevel> levels(JsonParser parser, JsonToken start) throws IOException {
        if (start != JsonToken.START_ARRAY) {
            return null;
        }
        List<PriceLevel> levels = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.START_ARRAY) {
            if (parser.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            String price = parser.getText();
            if (parser.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            String qty = parser.getText();
            if (parser.nextToken() != JsonToken.END_ARRAY) {
                return null;
            }
            levels.add(new PriceLevel(price, qty));
        }
        return token == JsonToken.END_ARRAY ? levels : null;
    }
}
