package io.marketstream.protocol.event;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.annotation.JsonSubTypes;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.ScaledDecimal;

/**
 * Writes {@link EngineEvent}s as JSON with Jackson's streaming API, into a buffer it reuses: the
 * engine writes about three events per command, and databind's per-call provider, type and bean
 * dispatch cost more than the writing itself.
 *
 * <p>The output is byte for byte what {@link Json#writeBytes} gives for the same event: the
 * {@code type} name from {@link EngineEvent}'s {@link JsonSubTypes} first, then the record's
 * components in declaration order, null components left out, on a generator of {@link Json}'s own
 * factory (so strings are escaped the same way). {@code EngineEventWriterTest} checks this for
 * generated events of every type and every combination of absent fields; a component added to an
 * event must be added here too, or that test fails.
 *
 * <p>Not thread-safe: one writer per thread.
 */
public final class EngineEventWriter {
    private static final SerializedString TYPE = new SerializedString("type");
    private static final SerializedString MARKET = new SerializedString("market");
    private static final SerializedString SEQ = new SerializedString("seq");
    private static final SerializedString COMMAND_ID = new SerializedString("commandId");
    private static final SerializedString TS = new SerializedString("ts");
    private static final SerializedString ORDER_ID = new SerializedString("orderId");
    private static final SerializedString ACCOUNT = new SerializedString("account");
    private static final SerializedString CLIENT_ORDER_ID = new SerializedString("clientOrderId");
    private static final SerializedString ORDER_TYPE = new SerializedString("orderType");
    private static final SerializedString SIDE = new SerializedString("side");
    private static final SerializedString PRICE = new SerializedString("price");
    private static final SerializedString QTY = new SerializedString("qty");
    private static final SerializedString QUOTE_AMOUNT = new SerializedString("quoteAmount");
    private static final SerializedString TIF = new SerializedString("tif");
    private static final SerializedString POST_ONLY = new SerializedString("postOnly");
    private static final SerializedString REASON = new SerializedString("reason");
    private static final SerializedString MESSAGE = new SerializedString("message");
    private static final SerializedString REMAINING_QTY = new SerializedString("remainingQty");
    private static final SerializedString WAS_RESTING = new SerializedString("wasResting");
    private static final SerializedString REDUCED_BY = new SerializedString("reducedBy");
    private static final SerializedString TRADE_ID = new SerializedString("tradeId");
    private static final SerializedString QUOTE_QTY = new SerializedString("quoteQty");
    private static final SerializedString TAKER_SIDE = new SerializedString("takerSide");
    private static final SerializedString MAKER_ORDER_ID = new SerializedString("makerOrderId");
    private static final SerializedString TAKER_ORDER_ID = new SerializedString("takerOrderId");
    private static final SerializedString MAKER_ACCOUNT = new SerializedString("makerAccount");
    private static final SerializedString TAKER_ACCOUNT = new SerializedString("takerAccount");
    private static final SerializedString MAKER_FEE = new SerializedString("makerFee");
    private static final SerializedString MAKER_FEE_ASSET = new SerializedString("makerFeeAsset");
    private static final SerializedString TAKER_FEE = new SerializedString("takerFee");
    private static final SerializedString TAKER_FEE_ASSET = new SerializedString("takerFeeAsset");
    private static final SerializedString ASSET = new SerializedString("asset");
    private static final SerializedString AVAILABLE = new SerializedString("available");
    private static final SerializedString LOCKED = new SerializedString("locked");

    /** The type names, from the one place they are declared. */
    private static final Map<Class<?>, SerializedString> TYPE_NAMES = typeNames();
    private static final SerializedString ACCEPTED = TYPE_NAMES.get(OrderAccepted.class);
    private static final SerializedString REJECTED = TYPE_NAMES.get(OrderRejected.class);
    private static final SerializedString RESTED = TYPE_NAMES.get(OrderRested.class);
    private static final SerializedString CANCELLED = TYPE_NAMES.get(OrderCancelled.class);
    private static final SerializedString TRADE = TYPE_NAMES.get(Trade.class);
    private static final SerializedString REDUCED = TYPE_NAMES.get(OrderReduced.class);
    private static final SerializedString BALANCE = TYPE_NAMES.get(BalanceChanged.class);

    private final Buffer buffer = new Buffer();
    /** Digits of a scaled value, formatted right-aligned ({@link ScaledDecimal#formatInto}). */
    private final byte[] digits = new byte[ScaledDecimal.MAX_FORMATTED_LENGTH];
    private JsonGenerator generator = newGenerator();

    /**
     * The event's JSON, in a new array of exactly its length (the writer's buffer is reused).
     *
     * @throws IllegalArgumentException if the event cannot be written (not expected: every string
     *                                  can be escaped); the writer stays usable
     */
    public byte[] write(EngineEvent event) {
        buffer.count = 0;
        try {
            writeTo(event, generator);
            generator.flush();
        } catch (IOException | RuntimeException e) {
            // the generator may be left inside the half-written object: start the next event afresh
            generator = newGenerator();
            throw new IllegalArgumentException("cannot write " + event.getClass().getSimpleName() + " as JSON", e);
        }
        return Arrays.copyOf(buffer.bytes, buffer.count);
    }

    private JsonGenerator newGenerator() {
        try {
            JsonGenerator g = Json.mapper().getFactory().createGenerator(buffer);
            // one generator for many root values: no separator between them
            g.setRootValueSeparator(null);
            return g;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeTo(EngineEvent event, JsonGenerator g) throws IOException {
        // most frequent first
        if (event instanceof OrderRested e) {
            start(g, RESTED, e);
            g.writeFieldName(ORDER_ID);
            g.writeNumber(e.orderId());
            g.writeFieldName(ACCOUNT);
            g.writeNumber(e.account());
            enumField(g, SIDE, e.side());
            stringField(g, PRICE, e.price());
            stringField(g, QTY, e.qty());
        } else if (event instanceof BalanceChanged e) {
            start(g, BALANCE, e);
            g.writeFieldName(ACCOUNT);
            g.writeNumber(e.account());
            stringField(g, ASSET, e.asset());
            if (e.isScaled()) {
                scaledField(g, AVAILABLE, e.availableUnits(), e.scale());
                scaledField(g, LOCKED, e.lockedUnits(), e.scale());
            } else {
                stringField(g, AVAILABLE, e.available());
                stringField(g, LOCKED, e.locked());
            }
        } else if (event instanceof OrderAccepted e) {
            start(g, ACCEPTED, e);
            g.writeFieldName(ORDER_ID);
            g.writeNumber(e.orderId());
            g.writeFieldName(ACCOUNT);
            g.writeNumber(e.account());
            stringField(g, CLIENT_ORDER_ID, e.clientOrderId());
            enumField(g, ORDER_TYPE, e.orderType());
            enumField(g, SIDE, e.side());
            stringField(g, PRICE, e.price());
            stringField(g, QTY, e.qty());
            stringField(g, QUOTE_AMOUNT, e.quoteAmount());
            enumField(g, TIF, e.tif());
            g.writeFieldName(POST_ONLY);
            g.writeBoolean(e.postOnly());
        } else if (event instanceof Trade e) {
            start(g, TRADE, e);
            g.writeFieldName(TRADE_ID);
            g.writeNumber(e.tradeId());
            stringField(g, PRICE, e.price());
            stringField(g, QTY, e.qty());
            stringField(g, QUOTE_QTY, e.quoteQty());
            enumField(g, TAKER_SIDE, e.takerSide());
            g.writeFieldName(MAKER_ORDER_ID);
            g.writeNumber(e.makerOrderId());
            g.writeFieldName(TAKER_ORDER_ID);
            g.writeNumber(e.takerOrderId());
            g.writeFieldName(MAKER_ACCOUNT);
            g.writeNumber(e.makerAccount());
            g.writeFieldName(TAKER_ACCOUNT);
            g.writeNumber(e.takerAccount());
            stringField(g, MAKER_FEE, e.makerFee());
            stringField(g, MAKER_FEE_ASSET, e.makerFeeAsset());
            stringField(g, TAKER_FEE, e.takerFee());
            stringField(g, TAKER_FEE_ASSET, e.takerFeeAsset());
        } else if (event instanceof OrderCancelled e) {
            start(g, CANCELLED, e);
            g.writeFieldName(ORDER_ID);
            g.writeNumber(e.orderId());
            g.writeFieldName(ACCOUNT);
            g.writeNumber(e.account());
            enumField(g, SIDE, e.side());
            stringField(g, PRICE, e.price());
            stringField(g, REMAINING_QTY, e.remainingQty());
            g.writeFieldName(WAS_RESTING);
            g.writeBoolean(e.wasResting());
            enumField(g, REASON, e.reason());
        } else if (event instanceof OrderReduced e) {
            start(g, REDUCED, e);
            g.writeFieldName(ORDER_ID);
            g.writeNumber(e.orderId());
            g.writeFieldName(ACCOUNT);
            g.writeNumber(e.account());
            enumField(g, SIDE, e.side());
            stringField(g, PRICE, e.price());
            stringField(g, REDUCED_BY, e.reducedBy());
            stringField(g, REMAINING_QTY, e.remainingQty());
        } else if (event instanceof OrderRejected e) {
            start(g, REJECTED, e);
            g.writeFieldName(ACCOUNT);
            g.writeNumber(e.account());
            stringField(g, CLIENT_ORDER_ID, e.clientOrderId());
            enumField(g, REASON, e.reason());
            stringField(g, MESSAGE, e.message());
        } else {
            // unreachable while EngineEvent is sealed to the types above
            throw new IllegalArgumentException("no JSON writer for " + event.getClass().getName());
        }
        g.writeEndObject();
    }

    /** The type name and the components every event has, in the order of the records' headers. */
    private static void start(JsonGenerator g, SerializableString type, EngineEvent e) throws IOException {
        g.writeStartObject();
        g.writeFieldName(TYPE);
        g.writeString(type);
        stringField(g, MARKET, e.market());
        g.writeFieldName(SEQ);
        g.writeNumber(e.seq());
        stringField(g, COMMAND_ID, e.commandId());
        g.writeFieldName(TS);
        g.writeNumber(e.ts());
    }

    /** Like databind with {@code NON_NULL}: an absent value leaves its field out. */
    private static void stringField(JsonGenerator g, SerializableString name, String value) throws IOException {
        if (value != null) {
            g.writeFieldName(name);
            g.writeString(value);
        }
    }

    /**
     * A decimal held as a scaled long, as the string {@code ScaledDecimal.format(units, scale)}:
     * its digits go straight from the long into the output (they need no escaping), no String made.
     */
    private void scaledField(JsonGenerator g, SerializableString name, long units, int scale) throws IOException {
        g.writeFieldName(name);
        int start = ScaledDecimal.formatInto(units, scale, digits);
        g.writeRawUTF8String(digits, start, digits.length - start);
    }

    private static void enumField(JsonGenerator g, SerializableString name, Enum<?> value) throws IOException {
        if (value != null) {
            g.writeFieldName(name);
            g.writeString(value.name());
        }
    }

    private static Map<Class<?>, SerializedString> typeNames() {
        Map<Class<?>, SerializedString> names = new HashMap<>();
        for (JsonSubTypes.Type t : EngineEvent.class.getAnnotation(JsonSubTypes.class).value()) {
            names.put(t.value(), new SerializedString(t.name()));
        }
        for (Class<?> type : EngineEvent.class.getPermittedSubclasses()) {
            if (!names.containsKey(type)) {
                throw new IllegalStateException(type.getSimpleName() + " has no type name in EngineEvent's @JsonSubTypes");
            }
        }
        return names;
    }

    /** The generator's target: a byte array reused from event to event, grown when needed. */
    private static final class Buffer extends OutputStream {
        private byte[] bytes = new byte[512];
        private int count;

        @Override
        public void write(int b) {
            ensure(1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }

        private void ensure(int more) {
            if (count + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
            }
        }
    }
}
