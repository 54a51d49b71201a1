package io.marketstream.protocol.command;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.marketstream.protocol.Json;
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
 * command has them) — is read here with Jackson's streaming parser. Anything else (another field
 * order, an unknown or repeated field, a number where a string belongs, an unknown enum name,
 * malformed JSON, JSON {@code null}, …) goes to databind, which decides as it always has. So
 * databind alone defines the rules; this class only takes the common case's short way.
 * {@code OrderCommandReaderTest} checks the equality for generated documents of both kinds.
 *
 * <p>Thread-safe.
 */
public final class OrderCommandReader {
    private static final JsonFactory FACTORY = Json.mapper().getFactory();

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
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME
                    || !"type".equals(p.currentName()) || p.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            String type = p.getText();
            Fields f = new Fields();
            if (type.equals(LIMIT)) {
                return f.read(p, COMMON | CLIENT_ORDER_ID | SIDE | PRICE | QTY | TIF | POST_ONLY | STP, ACCOUNT | TS)
                        ? new PlaceLimitOrder(f.commandId, f.market, f.account, f.clientOrderId, f.side, f.price,
                        f.qty, f.tif, f.postOnly, f.stp, f.ts) : null;
            }
            if (type.equals(CANCEL)) {
                return f.read(p, COMMON | ORDER_ID, ACCOUNT | TS | ORDER_ID)
                        ? new CancelOrder(f.commandId, f.market, f.account, f.orderId, f.ts) : null;
            }
            if (type.equals(MARKET_ORDER)) {
                return f.read(p, COMMON | CLIENT_ORDER_ID | SIDE | QTY | QUOTE_AMOUNT | STP, ACCOUNT | TS)
                        ? new PlaceMarketOrder(f.commandId, f.market, f.account, f.clientOrderId, f.side, f.qty,
                        f.quoteAmount, f.stp, f.ts) : null;
            }
            if (type.equals(DEPOSIT)) {
                return f.read(p, COMMON | ASSET | AMOUNT, ACCOUNT | TS)
                        ? new Deposit(f.commandId, f.market, f.account, f.asset, f.amount, f.ts) : null;
            }
            if (type.equals(WITHDRAW)) {
                return f.read(p, COMMON | ASSET | AMOUNT, ACCOUNT | TS)
                        ? new Withdraw(f.commandId, f.market, f.account, f.asset, f.amount, f.ts) : null;
            }
            if (type.equals(REDUCE)) {
                return f.read(p, COMMON | ORDER_ID | REDUCE_BY, ACCOUNT | TS | ORDER_ID)
                        ? new ReduceOrder(f.commandId, f.market, f.account, f.orderId, f.reduceBy, f.ts) : null;
            }
            if (type.equals(CANCEL_ALL)) {
                return f.read(p, COMMON, ACCOUNT | TS)
                        ? new CancelAllOrders(f.commandId, f.market, f.account, f.ts) : null;
            }
            return null;
        } catch (IOException | RuntimeException e) {
            // malformed, or a shape this reader does not take: databind reads it and says why
            return null;
        }
    }

    /** The fields of one document, and which of them it had. */
    private static final class Fields {
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

        /**
         * Reads the fields after {@code type} up to the end of the object.
         *
         * @return false if a field is not in {@code allowed}, repeated or of another JSON type, or
         *         one of {@code required} is missing
         */
        boolean read(JsonParser p, int allowed, int required) throws IOException {
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                int field = bit(p.currentName());
                if ((field & allowed) == 0 || (field & seen) != 0) {
                    return false;
                }
                seen |= field;
                t = p.nextToken();
                switch (field) {
                    case COMMAND_ID -> commandId = string(p, t);
                    case MARKET -> market = string(p, t);
                    case ACCOUNT -> account = number(p, t);
                    case TS -> ts = number(p, t);
                    case CLIENT_ORDER_ID -> clientOrderId = string(p, t);
                    case SIDE -> side = t == JsonToken.VALUE_NULL ? null : Side.valueOf(string(p, t));
                    case PRICE -> price = string(p, t);
                    case QTY -> qty = string(p, t);
                    case TIF -> tif = t == JsonToken.VALUE_NULL ? null : TimeInForce.valueOf(string(p, t));
                    case POST_ONLY -> postOnly = bool(t);
                    case STP -> stp = t == JsonToken.VALUE_NULL ? null : SelfTradePrevention.valueOf(string(p, t));
                    case QUOTE_AMOUNT -> quoteAmount = string(p, t);
                    case ORDER_ID -> orderId = number(p, t);
                    case REDUCE_BY -> reduceBy = string(p, t);
                    case ASSET -> asset = string(p, t);
                    case AMOUNT -> amount = string(p, t);
                    default -> throw new IllegalStateException("unmapped field bit " + field);
                }
            }
            // the parser allows nothing but a field name or the object's end here
            return t == JsonToken.END_OBJECT && (seen & required) == required;
        }

        private static int bit(String name) {
            return switch (name) {
                case "commandId" -> COMMAND_ID;
                case "market" -> MARKET;
                case "account" -> ACCOUNT;
                case "ts" -> TS;
                case "clientOrderId" -> CLIENT_ORDER_ID;
                case "side" -> SIDE;
                case "price" -> PRICE;
                case "qty" -> QTY;
                case "tif" -> TIF;
                case "postOnly" -> POST_ONLY;
                case "stp" -> STP;
                case "quoteAmount" -> QUOTE_AMOUNT;
                case "orderId" -> ORDER_ID;
                case "reduceBy" -> REDUCE_BY;
                case "asset" -> ASSET;
                case "amount" -> AMOUNT;
                default -> 0;
            };
        }

        /** A string or null; anything else is not the plain shape (an enum name that is no constant neither). */
        private static String string(JsonParser p, JsonToken t) throws IOException {
            if (t == JsonToken.VALUE_STRING) {
                return p.getText();
            }
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            throw NotPlain.INSTANCE;
        }

        private static long number(JsonParser p, JsonToken t) throws IOException {
            if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                return p.getLongValue();
            }
            throw NotPlain.INSTANCE;
        }

        private static Boolean bool(JsonToken t) {
            if (t == JsonToken.VALUE_TRUE) {
                return Boolean.TRUE;
            }
            if (t == JsonToken.VALUE_FALSE) {
                return Boolean.FALSE;
            }
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            throw NotPlain.INSTANCE;
        }
    }

    /** Thrown, without a stack trace, where a document leaves the plain shape. */
    private static final class NotPlain extends RuntimeException {
        private static final NotPlain INSTANCE = new NotPlain();

        private NotPlain() {
            super("not the plain shape", null, false, false);
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
