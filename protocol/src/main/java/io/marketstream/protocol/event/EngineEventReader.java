package io.marketstream.protocol.event;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonSubTypes;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.PlainJsonScanner;
import io.marketstream.protocol.PlainJsonScanner.NotPlain;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.TimeInForce;

/**
 * Reads an {@link EngineEvent} from JSON with the same result as {@code Json.read(json, EngineEvent.class)}:
 * the same event, or an {@link IllegalArgumentException} with the same message. The streams job reads
 * every event of the topic, and databind's polymorphic, property-based path (buffer the properties,
 * find the subtype, call the record's constructor) cost more than the rest of its reading.
 *
 * <p>How (as {@link io.marketstream.protocol.command.OrderCommandReader} does for commands): a document
 * of the plain shape {@link EngineEventWriter} produces — {@code type} first with a known name, then
 * only that event's own fields, each at most once, each of its exact JSON type (a string or
 * {@code null} for a string or an enum; an integer within {@code long} for a {@code long}, {@code true}
 * or {@code false} for a {@code boolean}, every {@code long} and {@code boolean} present; names and
 * strings in printable ASCII without escapes) — is read here in one pass over its bytes. Anything else
 * (another field order for {@code type}, an unknown or repeated field, a missing number, a number
 * where a string belongs, an enum name that is no constant, escapes or non-ASCII text, malformed JSON,
 * JSON {@code null}, …) goes to databind, which decides as it always has, and gives every refusal its
 * reason. So databind alone defines the rules; this class only takes the common case's short way.
 * {@code EngineEventReaderTest} checks the equality for generated documents of both kinds.
 *
 * <p>Thread-safe.
 */
public final class EngineEventReader {
    /** Larger documents go to databind (far below the parser's own limits; see OrderCommandReader). */
    private static final int MAX_PLAIN_BYTES = 1024 * 1024;

    // the fields of all events, one index each; TYPE last
    private static final int MARKET = 0;
    private static final int SEQ = 1;
    private static final int COMMAND_ID = 2;
    private static final int TS = 3;
    private static final int ORDER_ID = 4;
    private static final int ACCOUNT = 5;
    private static final int CLIENT_ORDER_ID = 6;
    private static final int ORDER_TYPE = 7;
    private static final int SIDE = 8;
    private static final int PRICE = 9;
    private static final int QTY = 10;
    private static final int QUOTE_AMOUNT = 11;
    private static final int TIF = 12;
    private static final int POST_ONLY = 13;
    private static final int REASON = 14;
    private static final int MESSAGE = 15;
    private static final int REMAINING_QTY = 16;
    private static final int WAS_RESTING = 17;
    private static final int REDUCED_BY = 18;
    private static final int TRADE_ID = 19;
    private static final int QUOTE_QTY = 20;
    private static final int TAKER_SIDE = 21;
    private static final int MAKER_ORDER_ID = 22;
    private static final int TAKER_ORDER_ID = 23;
    private static final int MAKER_ACCOUNT = 24;
    private static final int TAKER_ACCOUNT = 25;
    private static final int MAKER_FEE = 26;
    private static final int MAKER_FEE_ASSET = 27;
    private static final int TAKER_FEE = 28;
    private static final int TAKER_FEE_ASSET = 29;
    private static final int ASSET = 30;
    private static final int AVAILABLE = 31;
    private static final int LOCKED = 32;
    private static final int TYPE = 33;
    private static final byte[][] NAMES = names("market", "seq", "commandId", "ts", "orderId", "account",
            "clientOrderId", "orderType", "side", "price", "qty", "quoteAmount", "tif", "postOnly", "reason",
            "message", "remainingQty", "wasResting", "reducedBy", "tradeId", "quoteQty", "takerSide", "makerOrderId",
            "takerOrderId", "makerAccount", "takerAccount", "makerFee", "makerFeeAsset", "takerFee", "takerFeeAsset",
            "asset", "available", "locked", "type");
    /** Fields read as integers within {@code long}; every other field but the booleans is a string. */
    private static final long LONGS = bits(SEQ, TS, ORDER_ID, ACCOUNT, TRADE_ID, MAKER_ORDER_ID, TAKER_ORDER_ID,
            MAKER_ACCOUNT, TAKER_ACCOUNT);
    private static final long BOOLEANS = bits(POST_ONLY, WAS_RESTING);

    /**
     * Per event type, its fields in {@link EngineEventWriter}'s order (each name is looked for there
     * first); every field is allowed once, its {@code long}s and {@code boolean}s are required.
     */
    private enum Shape {
        ACCEPTED(OrderAccepted.class, ORDER_ID, ACCOUNT, CLIENT_ORDER_ID, ORDER_TYPE, SIDE, PRICE, QTY, QUOTE_AMOUNT,
                TIF, POST_ONLY),
        REJECTED(OrderRejected.class, ACCOUNT, CLIENT_ORDER_ID, REASON, MESSAGE),
        RESTED(OrderRested.class, ORDER_ID, ACCOUNT, SIDE, PRICE, QTY),
        CANCELLED(OrderCancelled.class, ORDER_ID, ACCOUNT, SIDE, PRICE, REMAINING_QTY, WAS_RESTING, REASON),
        TRADE(Trade.class, TRADE_ID, PRICE, QTY, QUOTE_QTY, TAKER_SIDE, MAKER_ORDER_ID, TAKER_ORDER_ID, MAKER_ACCOUNT,
                TAKER_ACCOUNT, MAKER_FEE, MAKER_FEE_ASSET, TAKER_FEE, TAKER_FEE_ASSET),
        REDUCED(OrderReduced.class, ORDER_ID, ACCOUNT, SIDE, PRICE, REDUCED_BY, REMAINING_QTY),
        BALANCE(BalanceChanged.class, ACCOUNT, ASSET, AVAILABLE, LOCKED);

        final byte[] name;
        final int[] order;
        final long allowed;
        final long required;

        Shape(Class<? extends EngineEvent> type, int... own) {
            name = typeName(type).getBytes(StandardCharsets.US_ASCII);
            order = new int[own.length + 4];
            order[0] = MARKET;
            order[1] = SEQ;
            order[2] = COMMAND_ID;
            order[3] = TS;
            System.arraycopy(own, 0, order, 4, own.length);
            allowed = bits(order);
            required = allowed & (LONGS | BOOLEANS);
        }
    }

    private static final Shape[] SHAPES = Shape.values();

    private EngineEventReader() {
    }

    /**
     * @return the event, or null for the JSON document {@code null}
     * @throws IllegalArgumentException with databind's reason, for malformed or mistyped input
     */
    public static EngineEvent read(byte[] json) {
        EngineEvent event = readPlain(json);
        return event != null ? event : Json.read(json, EngineEvent.class);
    }

    /** The event if the document has the plain shape, else null (databind must decide). */
    static EngineEvent readPlain(byte[] json) {
        if (json.length > MAX_PLAIN_BYTES) {
            return null;
        }
        try {
            return new Scanner(json).event();
        } catch (RuntimeException e) {
            // NotPlain, or an enum name that is no constant: databind reads it and says why
            return null;
        }
    }

    /**
     * One pass over the bytes of a plain document: one object (JSON whitespace around its tokens,
     * nothing read after it, as databind reads nothing after it); names and strings in printable ASCII
     * without escapes (so their bytes are their characters); integers within {@code long}. Whatever
     * else it meets, it gives up ({@link NotPlain}).
     */
    private static final class Scanner extends PlainJsonScanner {
        private long seen;
        private final String[] strings = new String[TYPE];
        private final long[] longs = new long[TYPE];
        private final boolean[] booleans = new boolean[TYPE];

        Scanner(byte[] json) {
            super(json);
        }

        EngineEvent event() {
            expect('{');
            if (field(null, 0) != TYPE) {
                throw NotPlain.INSTANCE;
            }
            Shape shape = shape();
            int position = 0;
            while (next() == ',') {
                i++;
                int field = field(shape.order, position);
                long bit = 1L << field;
                if ((bit & shape.allowed) == 0 || (bit & seen) != 0) {
                    throw NotPlain.INSTANCE;
                }
                seen |= bit;
                position++;
                if ((bit & LONGS) != 0) {
                    longs[field] = number();
                } else if ((bit & BOOLEANS) != 0) {
                    booleans[field] = bool();
                } else {
                    strings[field] = string();
                }
            }
            // what follows the closing brace is not read, as databind does not read it
            expect('}');
            if ((seen & shape.required) != shape.required) {
                throw NotPlain.INSTANCE;
            }
            return build(shape);
        }

        private EngineEvent build(Shape shape) {
            String market = strings[MARKET];
            long seq = longs[SEQ];
            String commandId = strings[COMMAND_ID];
            long ts = longs[TS];
            return switch (shape) {
                case RESTED -> new OrderRested(market, seq, commandId, ts, longs[ORDER_ID], longs[ACCOUNT],
                        enumOf(Side.class, SIDE), strings[PRICE], strings[QTY]);
                case BALANCE -> new BalanceChanged(market, seq, commandId, ts, longs[ACCOUNT], strings[ASSET],
                        strings[AVAILABLE], strings[LOCKED]);
                case ACCEPTED -> new OrderAccepted(market, seq, commandId, ts, longs[ORDER_ID], longs[ACCOUNT],
                        strings[CLIENT_ORDER_ID], enumOf(OrderType.class, ORDER_TYPE), enumOf(Side.class, SIDE),
                        strings[PRICE], strings[QTY], strings[QUOTE_AMOUNT], enumOf(TimeInForce.class, TIF),
                        booleans[POST_ONLY]);
                case TRADE -> new Trade(market, seq, commandId, ts, longs[TRADE_ID], strings[PRICE], strings[QTY],
                        strings[QUOTE_QTY], enumOf(Side.class, TAKER_SIDE), longs[MAKER_ORDER_ID], longs[TAKER_ORDER_ID],
                        longs[MAKER_ACCOUNT], longs[TAKER_ACCOUNT], strings[MAKER_FEE], strings[MAKER_FEE_ASSET],
                        strings[TAKER_FEE], strings[TAKER_FEE_ASSET]);
                case CANCELLED -> new OrderCancelled(market, seq, commandId, ts, longs[ORDER_ID], longs[ACCOUNT],
                        enumOf(Side.class, SIDE), strings[PRICE], strings[REMAINING_QTY], booleans[WAS_RESTING],
                        enumOf(CancelReason.class, REASON));
                case REDUCED -> new OrderReduced(market, seq, commandId, ts, longs[ORDER_ID], longs[ACCOUNT],
                        enumOf(Side.class, SIDE), strings[PRICE], strings[REDUCED_BY], strings[REMAINING_QTY]);
                case REJECTED -> new OrderRejected(market, seq, commandId, ts, longs[ACCOUNT], strings[CLIENT_ORDER_ID],
                        enumOf(RejectReason.class, REASON), strings[MESSAGE]);
            };
        }

        /** An enum field's constant, or null; an unknown name throws IllegalArgumentException: not plain. */
        private <E extends Enum<E>> E enumOf(Class<E> type, int field) {
            String name = strings[field];
            return name == null ? null : Enum.valueOf(type, name);
        }

        /** The {@code type} value: a known name. */
        private Shape shape() {
            expect('"');
            int start = i;
            int end = plainText();
            i = end + 1;
            for (Shape shape : SHAPES) {
                if (Arrays.equals(shape.name, 0, shape.name.length, b, start, end)) {
                    return shape;
                }
            }
            throw NotPlain.INSTANCE;
        }

        /**
         * A quoted name and its colon; the name's index. The name at {@code order[position]} is tried
         * first (the writer's order), then all.
         */
        private int field(int[] order, int position) {
            expect('"');
            int start = i;
            int end = plainText();
            i = end + 1;
            expect(':');
            if (order != null && position < order.length) {
                byte[] expected = NAMES[order[position]];
                if (Arrays.equals(expected, 0, expected.length, b, start, end)) {
                    return order[position];
                }
            }
            for (int n = 0; n < NAMES.length; n++) {
                if (Arrays.equals(NAMES[n], 0, NAMES[n].length, b, start, end)) {
                    return n;
                }
            }
            throw NotPlain.INSTANCE;
        }
    }

    private static byte[][] names(String... names) {
        byte[][] out = new byte[names.length][];
        for (int n = 0; n < names.length; n++) {
            out[n] = names[n].getBytes(StandardCharsets.US_ASCII);
        }
        return out;
    }

    private static long bits(int... fields) {
        long out = 0;
        for (int field : fields) {
            out |= 1L << field;
        }
        return out;
    }

    private static String typeName(Class<?> type) {
        for (JsonSubTypes.Type t : EngineEvent.class.getAnnotation(JsonSubTypes.class).value()) {
            if (t.value() == type) {
                return t.name();
            }
        }
        throw new IllegalStateException(type.getSimpleName() + " has no type name in EngineEvent's @JsonSubTypes");
    }

    static {
        // a new event type must get a shape here, or events of it would all go the long way unnoticed
        if (SHAPES.length != EngineEvent.class.getPermittedSubclasses().length) {
            throw new IllegalStateException("EngineEventReader has no shape for every EngineEvent type");
        }
    }
}
