package io.marketstream.protocol.command;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonSubTypes;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.PlainJsonScanner;
import io.marketstream.protocol.PlainJsonScanner.NotPlain;
import io.marketstream.protocol.SelfTradePrevention;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.TimeInForce;

/**
 * Reads an {@link OrderCommand} from JSON with the same result as
 * {@code Json.read(json, OrderCommand.class)}: the same command, or an
 * {@link IllegalArgumentException} with the same message.
 *
 * <p>How: a document of the plain shape every writer of commands produces — {@code type} first
 * with a known name, then only the command's own fields, each at most once, each of its exact JSON
 * type (a string, or {@code null} for a string, enum or {@code postOnly}; an integer within
 * {@code long} for {@code account}, {@code orderId}, {@code ts}, all three present where the
 * command has them; names and strings in printable ASCII without escapes) — is read here in one
 * pass over its bytes, without a parser or a string per field name. Anything else (another field
 * order, an unknown or repeated field, a number where a string belongs, an unknown enum name,
 * escapes or non-ASCII text, malformed JSON, JSON {@code null}, …) goes to databind, which decides
 * as it always has. So databind alone defines the rules; this class only takes the common case's
 * short way.
 * {@code OrderCommandReaderTest} checks the equality for generated documents of both kinds.
 *
 * <p>Thread-safe.
 */
public final class OrderCommandReader {
    /**
     * Larger documents go to databind: far below the limits of Jackson's parser (20,000,000
     * characters per string, 50,000 per name), so the short way never accepts what the parser
     * would refuse.
     */
    private static final int MAX_PLAIN_BYTES = 1024 * 1024;

    private static final Map<Class<?>, String> TYPE_NAMES = typeNames();
    private static final String LIMIT = TYPE_NAMES.get(PlaceLimitOrder.class);
    private static final String MARKET_ORDER = TYPE_NAMES.get(PlaceMarketOrder.class);
    private static final String CANCEL = TYPE_NAMES.get(CancelOrder.class);
    private static final String CANCEL_ALL = TYPE_NAMES.get(CancelAllOrders.class);
    private static final String REDUCE = TYPE_NAMES.get(ReduceOrder.class);
    private static final String DEPOSIT = TYPE_NAMES.get(Deposit.class);
    private static final String WITHDRAW = TYPE_NAMES.get(Withdraw.class);

    // one bit per field
    private static final int COMMAND_ID = 1;
    private static final int MARKET = 1 << 1;
    private static final int ACCOUNT = 1 << 2;
    private static final int TS = 1 << 3;
    private static final int CLIENT_ORDER_ID = 1 << 4;
    private static final int SIDE = 1 << 5;
    private static final int PRICE = 1 << 6;
    private static final int QTY = 1 << 7;
    private static final int TIF = 1 << 8;
    private static final int POST_ONLY = 1 << 9;
    private static final int STP = 1 << 10;
    private static final int QUOTE_AMOUNT = 1 << 11;
    private static final int ORDER_ID = 1 << 12;
    private static final int REDUCE_BY = 1 << 13;
    private static final int ASSET = 1 << 14;
    private static final int AMOUNT = 1 << 15;

    private static final int COMMON = COMMAND_ID | MARKET | ACCOUNT | TS;

    private OrderCommandReader() {
    }

    /**
     * @return the command, or null for the JSON document {@code null}
     * @throws IllegalArgumentException with the parser's reason, for malformed or mistyped input
     */
    public static OrderCommand read(byte[] json) {
        OrderCommand command = readPlain(json);
        return command != null ? command : Json.read(json, OrderCommand.class);
    }

    /** The command if the document has the plain shape, else null (databind must decide). */
    static OrderCommand readPlain(byte[] json) {
        if (json.length > MAX_PLAIN_BYTES) {
            return null;
        }
        try {
            return new Scanner(json).command();
        } catch (RuntimeException e) {
            // NotPlain, or an enum name that is no constant: databind reads it and says why
            return null;
        }
    }

    /**
     * One pass over the bytes of a plain document. Stricter than JSON where that keeps the proof
     * simple: one object (JSON whitespace around its tokens, nothing read after it, as databind
     * reads nothing after it); names and strings in printable ASCII without escapes (so their
     * bytes are their characters, and the parser would see UTF-8); integers within {@code long}.
     * Whatever else it meets, it gives up ({@link NotPlain}).
     */
    private static final class Scanner extends PlainJsonScanner {
        /** The field names, in the order of their bits ({@link #COMMAND_ID} is bit 0), then {@code type}. */
        private static final byte[][] NAMES = new byte[17][];
        private static final int TYPE = 1 << 16;

        static {
            String[] names = {"commandId", "market", "account", "ts", "clientOrderId", "side", "price", "qty", "tif",
                    "postOnly", "stp", "quoteAmount", "orderId", "reduceBy", "asset", "amount", "type"};
            for (int i = 0; i < names.length; i++) {
                NAMES[i] = names[i].getBytes(StandardCharsets.US_ASCII);
            }
        }

        private int seen;
        private String commandId;
        private String market;
        private long account;
        private long ts;
        private String clientOrderId;
        private Side side;
        private String price;
        private String qty;
        private TimeInForce tif;
        private Boolean postOnly;
        private SelfTradePrevention stp;
        private String quoteAmount;
        private long orderId;
        private String reduceBy;
        private String asset;
        private String amount;

        Scanner(byte[] json) {
            super(json);
        }

        OrderCommand command() {
            expect('{');
            if (field() != TYPE) {
                throw NotPlain.INSTANCE;
            }
            String type = string();
            if (type == null) {
                throw NotPlain.INSTANCE;
            }
            if (type.equals(LIMIT)) {
                fields(COMMON | CLIENT_ORDER_ID | SIDE | PRICE | QTY | TIF | POST_ONLY | STP, ACCOUNT | TS);
                return new PlaceLimitOrder(commandId, market, account, clientOrderId, side, price, qty, tif, postOnly,
                        stp, ts);
            }
            if (type.equals(CANCEL)) {
                fields(COMMON | ORDER_ID, ACCOUNT | TS | ORDER_ID);
                return new CancelOrder(commandId, market, account, orderId, ts);
            }
            if (type.equals(MARKET_ORDER)) {
                fields(COMMON | CLIENT_ORDER_ID | SIDE | QTY | QUOTE_AMOUNT | STP, ACCOUNT | TS);
                return new PlaceMarketOrder(commandId, market, account, clientOrderId, side, qty, quoteAmount, stp, ts);
            }
            if (type.equals(DEPOSIT)) {
                fields(COMMON | ASSET | AMOUNT, ACCOUNT | TS);
                return new Deposit(commandId, market, account, asset, amount, ts);
            }
            if (type.equals(WITHDRAW)) {
                fields(COMMON | ASSET | AMOUNT, ACCOUNT | TS);
                return new Withdraw(commandId, market, account, asset, amount, ts);
            }
            if (type.equals(REDUCE)) {
                fields(COMMON | ORDER_ID | REDUCE_BY, ACCOUNT | TS | ORDER_ID);
                return new ReduceOrder(commandId, market, account, orderId, reduceBy, ts);
            }
            if (type.equals(CANCEL_ALL)) {
                fields(COMMON, ACCOUNT | TS);
                return new CancelAllOrders(commandId, market, account, ts);
            }
            throw NotPlain.INSTANCE;
        }

        /** The fields after {@code type}, each allowed and at most once, up to the object's end. */
        private void fields(int allowed, int required) {
            while (next() == ',') {
                i++;
                int field = field();
                if ((field & allowed) == 0 || (field & seen) != 0) {
                    throw NotPlain.INSTANCE;
                }
                seen |= field;
                switch (field) {
                    case COMMAND_ID -> commandId = string();
                    case MARKET -> market = string();
                    case ACCOUNT -> account = number();
                    case TS -> ts = number();
                    case CLIENT_ORDER_ID -> clientOrderId = string();
                    case SIDE -> side = enumName(Side.class);
                    case PRICE -> price = string();
                    case QTY -> qty = string();
                    case TIF -> tif = enumName(TimeInForce.class);
                    case POST_ONLY -> postOnly = boolOrNull();
                    case STP -> stp = enumName(SelfTradePrevention.class);
                    case QUOTE_AMOUNT -> quoteAmount = string();
                    case ORDER_ID -> orderId = number();
                    case REDUCE_BY -> reduceBy = string();
                    case ASSET -> asset = string();
                    case AMOUNT -> amount = string();
                    default -> throw NotPlain.INSTANCE;
                }
            }
            // what follows the closing brace is not read, as databind does not read it
            expect('}');
            if ((seen & required) != required) {
                throw NotPlain.INSTANCE;
            }
        }

        /** A quoted name and its colon; the name's bit. */
        private int field() {
            expect('"');
            int start = i;
            int end = plainText();
            int length = end - start;
            i = end + 1;
            expect(':');
            for (int n = 0; n < NAMES.length; n++) {
                byte[] name = NAMES[n];
                if (name.length == length && Arrays.equals(name, 0, length, b, start, end)) {
                    return 1 << n;
                }
            }
            throw NotPlain.INSTANCE;
        }

        private <E extends Enum<E>> E enumName(Class<E> type) {
            String name = string();
            // an unknown name throws IllegalArgumentException: not plain
            return name == null ? null : Enum.valueOf(type, name);
        }
    }

    private static Map<Class<?>, String> typeNames() {
        Map<Class<?>, String> names = new HashMap<>();
        for (JsonSubTypes.Type t : OrderCommand.class.getAnnotation(JsonSubTypes.class).value()) {
            names.put(t.value(), t.name());
        }
        for (Class<?> type : OrderCommand.class.getPermittedSubclasses()) {
            if (!names.containsKey(type)) {
                throw new IllegalStateException(type.getSimpleName() + " has no type name in OrderCommand's @JsonSubTypes");
            }
        }
        return names;
    }
}
